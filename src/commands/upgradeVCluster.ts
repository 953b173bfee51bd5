import * as vscode from 'vscode';
import type { VClusterServices } from '../vcluster/vclusterServices';
import type { Command } from './command';
import { isSettled, type LifecycleUi, pickValuesFile, followUntilSettled, targetVCluster, withLifecycleProgress } from './lifecycleUi';

/** `vcluster create --upgrade`: new values or a new chart version, through the same provisioner. */
export class UpgradeVClusterCommand implements Command {
  readonly id = 'vcluster.upgradeVCluster';
  constructor(private readonly ui: LifecycleUi, private readonly vclusters: VClusterServices) {}

  async run(arg?: unknown): Promise<boolean> {
    const vcluster = await targetVCluster(this.ui, arg, 'Upgrade vCluster');
    if (!vcluster) return false;
    const valuesFiles = await pickValuesFile(`Upgrade ${vcluster.name} (1/2): values`);
    if (valuesFiles === undefined) return false;
    const chartVersion = await vscode.window.showInputBox({
      title: `Upgrade ${vcluster.name} (2/2): chart version`,
      prompt: `Now ${vcluster.version ?? 'unknown'}; empty keeps the default`,
      value: vcluster.version ?? '',
      validateInput: (value) => (value.trim() === '' || /^v?\d+\.\d+\.\d+([-+][\w.-]+)?$/.test(value.trim()) ? undefined : 'A chart version looks like 0.36.1.'),
    });
    if (chartVersion === undefined) return false;
    await withLifecycleProgress(`Upgrading vCluster ${vcluster.name}`, (progress) => this.vclusters.lifecycle.upgrade(vcluster, { valuesFiles, ...(chartVersion.trim() ? { chartVersion: chartVersion.trim() } : {}) }, progress));
    void followUntilSettled(this.ui, vcluster, isSettled);
    vscode.window.setStatusBarMessage(`vCluster ${vcluster.name} upgraded`, 5000);
    return true;
  }
}
