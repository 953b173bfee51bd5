import * as vscode from 'vscode';
import type { VClusterServices } from '../vcluster/vclusterServices';
import type { Command } from './command';
import { isSettled, type LifecycleUi, followUntilSettled, targetVCluster, withLifecycleProgress } from './lifecycleUi';

/** `vcluster resume`: restore the remembered replicas and drop the pause annotations. */
export class ResumeVClusterCommand implements Command {
  readonly id = 'vcluster.resumeVCluster';
  constructor(private readonly ui: LifecycleUi, private readonly vclusters: VClusterServices) {}

  async run(arg?: unknown): Promise<boolean> {
    const vcluster = await targetVCluster(this.ui, arg, 'Resume vCluster', (candidate) => candidate.status === 'Paused' || candidate.status === 'ScaledDown');
    if (!vcluster) return false;
    const outcome = await withLifecycleProgress(`Resuming vCluster ${vcluster.name}`, () => this.vclusters.lifecycle.resume(vcluster), false);
    if (outcome.changed) void followUntilSettled(this.ui, vcluster, (current) => current !== undefined && current.status !== 'Paused' && current.status !== 'ScaledDown' && isSettled(current));
    if (!outcome.changed) void vscode.window.showInformationMessage(`vCluster ${vcluster.name} was not resumed: ${outcome.reason}.`);
    else this.ui.logger.info(`[resume] ${vcluster.name}: resumed to ${outcome.replicas} replica(s)`);
    return outcome.changed;
  }
}
