import * as vscode from 'vscode';
import type { VClusterServices } from '../vcluster/vclusterServices';
import type { Command } from './command';
import { targetVCluster, type LifecycleUi } from './lifecycleUi';

/** Drops the vCluster's context from the extension's kubeconfig and stops its port-forward. */
export class DisconnectVClusterCommand implements Command {
  readonly id = 'vcluster.disconnectVCluster';
  constructor(private readonly ui: LifecycleUi, private readonly vclusters: VClusterServices) {}

  async run(arg?: unknown): Promise<boolean> {
    const vcluster = await targetVCluster(this.ui, arg, 'Disconnect from vCluster', (candidate) => this.vclusters.connector.isConnected(candidate));
    if (!vcluster) return false;
    const removed = await this.vclusters.connector.disconnect(vcluster);
    await this.ui.refresh();
    vscode.window.setStatusBarMessage(removed ? `Disconnected from vCluster ${vcluster.name}` : `vCluster ${vcluster.name} was not connected`, 4000);
    return removed;
  }
}
