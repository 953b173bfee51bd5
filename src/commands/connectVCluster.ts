import * as vscode from 'vscode';
import type { VClusterServices } from '../vcluster/vclusterServices';
import type { Command } from './command';
import { targetVCluster, withLifecycleProgress, type LifecycleUi } from './lifecycleUi';
import { type VClusterRef } from '../vcluster/identity';

function isRef(value: unknown): value is VClusterRef & { server?: string } {
  const ref = value as VClusterRef | undefined;
  return typeof ref?.hostContext === 'string' && typeof ref.name === 'string' && typeof ref.namespace === 'string';
}

/**
 * `vcluster connect`, into the extension's own kubeconfig: the user's current context and
 * kubeconfig files stay as they are (choosing a context per workspace is a separate command).
 */
export class ConnectVClusterCommand implements Command {
  readonly id = 'vcluster.connectVCluster';
  constructor(private readonly ui: LifecycleUi, private readonly vclusters: VClusterServices) {}

  async run(arg?: unknown): Promise<string | undefined> {
    const vcluster = isRef(arg) ? arg : await targetVCluster(this.ui, arg, 'Connect to vCluster', (candidate) => !this.vclusters.connector.isConnected(candidate));
    if (!vcluster) return undefined;
    const server = isRef(arg) ? arg.server : undefined;
    const connection = await withLifecycleProgress(`Connecting to vCluster ${vcluster.name}`, (progress) => this.vclusters.connector.connect(vcluster, { ...(server ? { server } : {}), ...(progress.signal ? { signal: progress.signal } : {}) }));
    await this.ui.refresh();
    void vscode.window.showInformationMessage(
      `Connected to vCluster ${vcluster.name}: context ${connection.context} (${connection.via === 'portForward' ? `port-forward on ${connection.server}` : connection.server}).`,
      'Copy KUBECONFIG Path',
    ).then((choice) => {
      if (choice === 'Copy KUBECONFIG Path') void vscode.env.clipboard.writeText(this.vclusters.connector.connectionsFile);
    });
    return connection.context;
  }
}
