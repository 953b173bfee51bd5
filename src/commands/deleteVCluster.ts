import * as vscode from 'vscode';
import type { VClusterServices } from '../vcluster/vclusterServices';
import type { Command } from './command';
import { type LifecycleUi, followUntilSettled, targetVCluster, withLifecycleProgress } from './lifecycleUi';

/** `vcluster delete`, after a confirmation that names everything that goes. */
export class DeleteVClusterCommand implements Command {
  readonly id = 'vcluster.deleteVCluster';
  constructor(private readonly ui: LifecycleUi, private readonly vclusters: VClusterServices) {}

  async run(arg?: unknown): Promise<boolean> {
    const vcluster = await targetVCluster(this.ui, arg, 'Delete vCluster');
    if (!vcluster) return false;
    const plan = await this.vclusters.lifecycle.planDeletion(vcluster, AbortSignal.timeout(30_000));
    const goes = [
      `the Helm release ${plan.release} in namespace ${vcluster.namespace} (the vCluster and everything in it)`,
      ...plan.volumeClaims.map((claim) => `the volume claim ${claim} and its data`),
      ...(plan.namespace ? [`the namespace ${plan.namespace}, which was created for it, with everything in it`] : []),
      ...(plan.context ? [`the kube context ${plan.context} in the extension's kubeconfig`] : []),
    ];
    const choice = await vscode.window.showWarningMessage(
      `Delete vCluster ${vcluster.name} on ${vcluster.hostContext}?`,
      { modal: true, detail: `This deletes:\n${goes.map((item) => `• ${item}`).join('\n')}\n\nThis cannot be undone.` },
      'Delete',
    );
    if (choice !== 'Delete') return false;
    this.ui.logger.info(`[delete] ${vcluster.name} in ${vcluster.namespace} on ${vcluster.hostContext}: ${goes.join('; ')}`);
    await withLifecycleProgress(`Deleting vCluster ${vcluster.name}`, (progress) => this.vclusters.lifecycle.delete(plan, progress), false);
    void followUntilSettled(this.ui, vcluster, (current) => current === undefined);
    vscode.window.setStatusBarMessage(`vCluster ${vcluster.name} deleted`, 5000);
    return true;
  }
}
