// The extension's vCluster actions as Connect uses them, over a loaded host kubeconfig: real
// backend, a connections file of the test's own, the servers the test sets.
import type { KubeconfigDocument } from '../../../src/kube/kubeconfig';
import type { Logger } from '../../../src/process/log';
import { VClusterActions } from '../../../src/vcluster/actions';
import * as backend from '../../../src/vcluster/backend';
import { ConnectionsKubeconfig } from '../../../src/vcluster/connection';

export function connectActions(options: { document: KubeconfigDocument; kubeconfigPath: string; connectionsFile: string; servers: Record<string, string>; logger: Logger }): VClusterActions {
  return new VClusterActions({
    loadBackend: async () => backend,
    kubeconfig: () => ({ document: options.document, paths: [options.kubeconfigPath] }),
    tools: () => ({ preference: 'auto' }),
    chart: () => ({}),
    connections: new ConnectionsKubeconfig(options.connectionsFile, async () => ({ parse: backend.parseYaml, stringify: backend.stringifyYaml })),
    connectServers: () => options.servers,
    logger: options.logger,
    requestTimeoutMs: () => 5000,
  });
}
