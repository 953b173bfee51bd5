import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startCodeServer, type RunningCodeServer } from '../../../scripts/lib/codeServer';
import { ensureVClusterBinaries } from '../../env/vclusterBinaries';
import { removeVCluster, upVCluster, type LocalVCluster } from '../../env/vclusterFixture';
import { testHost } from '../../integration/support/host';
import { TempDir } from '../../unit/builders/kubeconfig';
import { dumpExtensionLog } from './extensionLog';
import { Workbench } from './workbench';

/**
 * What the E2E tests about a running vCluster share: a real vCluster (real CLI and chart, its
 * real syncer run by the host's node agent) on the tier's host, and a real VS Code (code-server with the
 * packaged extension) on an empty workspace, its KUBECONFIG the host's. close() takes a final
 * screenshot and removes everything, the vCluster's host namespace included.
 */
export interface VClusterWorkbench {
  vcluster: LocalVCluster;
  server: RunningCodeServer;
  workbench: Workbench;
  /** The virtual cluster (through the local syncer) and the host, for the test's own checks. */
  virtualConfig: KubeConfig;
  hostConfig: KubeConfig;
  close(): Promise<void>;
}

export async function openVClusterWorkbench(options: { name: string; namespace: string; screenshotPrefix: string; settings?: Record<string, unknown> }): Promise<VClusterWorkbench> {
  const dir = new TempDir();
  const cluster = testHost();
  let vcluster: LocalVCluster | undefined;
  let server: RunningCodeServer | undefined;
  let workbench: Workbench | undefined;
  const hostConfig = new KubeConfig();
  hostConfig.loadFromFile(cluster.kubeconfig);
  const close = async () => {
    if (workbench) {
      await workbench.screenshot(`${options.screenshotPrefix}-final`).catch(() => undefined);
      await workbench.close();
    }
    dumpExtensionLog(server, 60);
    await server?.stop();
    // Deletes the namespace and waits for the node agent to stop the syncer.
    if (vcluster) await vcluster.remove();
    else await removeVCluster(cluster, options.namespace, options.name);
    dir.remove();
  };
  try {
    vcluster = await upVCluster({ cluster, vcluster: await ensureVClusterBinaries(), name: options.name, namespace: options.namespace });
    const virtualConfig = new KubeConfig();
    virtualConfig.loadFromFile(vcluster.kubeconfig);
    const workspace = join(dir.path, 'workspace');
    mkdirSync(workspace);
    server = await startCodeServer({ workspaceFolder: workspace, env: { KUBECONFIG: cluster.kubeconfig }, ...(options.settings ? { settings: options.settings } : {}) });
    workbench = await Workbench.open(server.url, workspace);
    return { vcluster, server, workbench, virtualConfig, hostConfig, close };
  } catch (error) {
    await close();
    throw error;
  }
}
