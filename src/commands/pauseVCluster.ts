import * as vscode from 'vscode';
import type { VClusterServices } from '../vcluster/vclusterServices';
import { statusTone } from '../vcluster/discovery/status';
import type { Command } from './command';
import { type LifecycleUi, followUntilSettled, targetVCluster, withLifecycleProgress } from './lifecycleUi';

/** `vcluster pause`: scale to 0 with the CLI's annotations, delete the synced pods. */
export class PauseVClusterCommand implements Command {
  readonly id = 'vcluster.pauseVCluster';
  constructor(private readonly ui: LifecycleUi, private readonly vclusters: VClusterServices) {}

  async run(arg?: unknown): Promise<boolean> {
    const vcluster = await targetVCluster(this.ui, arg, 'Pause vCluster', (candidate) => statusTone(candidate.status) !== 'paused');
    if (!vcluster) return false;
    const outcome = await withLifecycleProgress(`Pausing vCluster ${vcluster.name}`, () => this.vclusters.lifecycle.pause(vcluster), false);
    // Paused shows as soon as the watch sees the annotation; "settled" alone would already hold
    // for the Running status seen before that event arrives.
    if (outcome.changed) void followUntilSettled(this.ui, vcluster, (current) => current === undefined || statusTone(current.status) === 'paused');
    if (!outcome.changed) void vscode.window.showInformationMessage(`vCluster ${vcluster.name} was not paused: ${outcome.reason}.`);
    else this.ui.logger.info(`[pause] ${vcluster.name}: paused (was ${outcome.replicas} replica(s))`);
    return outcome.changed;
  }
}
