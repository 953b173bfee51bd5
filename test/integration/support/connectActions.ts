// The extension's vCluster actions as Connect uses them, over a loaded host kubeconfig: real
// core, a connections file of the test's own, the servers the test sets.
import type { KubeconfigDocument } from '../../../src/kube/kubeconfig';
import type { Logger } from '../../../src/process/log';
import * as core from '../../../src/coreBundle';
import { ConnectionsKubeconfig } from '../../../src/vcluster/connect/connectionsKubeconfig';
import { createVClusterServices, type VClusterServices } from '../../../src/vcluster/vclusterServices';

export function connectActions(options: { document: KubeconfigDocument; kubeconfigPath: string; connectionsFile: string; servers: Record<string, string>; logger: Logger }): VClusterServices {
  return createVClusterServices({
    loadCoreBundle: async () => core,
    kubeconfig: () => ({ document: options.document, paths: [options.kubeconfigPath] }),
    tools: () => ({ preference: 'auto' }),
    chart: () => ({}),
    connections: new ConnectionsKubeconfig(options.connectionsFile, async () => core),
    connectServers: () => options.servers,
    logger: options.logger,
    requestTimeoutMs: () => 5000,
  });
}
