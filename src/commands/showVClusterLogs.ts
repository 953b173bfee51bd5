import * as vscode from 'vscode';
import { logUri, type LogAddress } from '../documents/logDocuments';
import { listControlPlanePods } from '../vcluster/discovery/controlPlanePods';
import type { VClusterServices } from '../vcluster/vclusterServices';
import type { Command } from './command';
import { offerResumeIfPaused, targetVCluster, type LifecycleUi } from './lifecycleUi';
import { pickContainer, pickRun } from './logPickers';

/**
 * *Show vCluster Logs*: the log of a vCluster's control plane (the syncer container, or another
 * container the chart runs) in an editor tab that follows it — what the vcluster CLI has no
 * command for. Picks the pod (HA runs several), the container and, after a restart, which run.
 */
export class ShowVClusterLogsCommand implements Command {
  readonly id = 'vcluster.showVClusterLogs';

  constructor(private readonly ui: LifecycleUi, private readonly vclusters: VClusterServices) {}

  async run(arg?: unknown): Promise<boolean> {
    const vcluster = await targetVCluster(this.ui, arg, 'Show vCluster Logs');
    if (!vcluster) return false;
    // Sleeping workloads leave the control plane running: it has a log.
    if (await offerResumeIfPaused(vcluster, 'its control plane is not running, so there is no log to show.')) return false;
    const client = await this.vclusters.hostClient(vcluster.hostContext);
    const pods = await listControlPlanePods(client, vcluster, AbortSignal.timeout(15_000));
    if (pods.length === 0) {
      void vscode.window.showInformationMessage(`vCluster ${vcluster.name} has no pod in namespace ${vcluster.namespace} now (status ${vcluster.status || 'unknown'}): there is no log to show.`);
      return false;
    }
    const pod = pods.length === 1 ? pods[0] : (await vscode.window.showQuickPick(pods.map((candidate) => ({ label: candidate.metadata?.name ?? '', description: candidate.status?.phase, pod: candidate })), { title: `Show vCluster Logs: ${vcluster.name}`, placeHolder: 'Which pod of the control plane' }))?.pod;
    const podName = pod?.metadata?.name;
    if (!pod || !podName) return false;
    const container = await pickContainer(pod, `Show vCluster Logs: ${vcluster.name}`);
    if (!container) return false;
    const previous = await pickRun(pod, container, `Show vCluster Logs: ${container}`);
    if (previous === undefined) return false;
    const address: LogAddress = { hostContext: vcluster.hostContext, namespace: vcluster.namespace, pod: podName, container, ...(previous ? { previous } : {}) };
    // The path ends in .log: VS Code gives the tab its Log highlighting by itself.
    const document = await vscode.workspace.openTextDocument(logUri(address));
    await vscode.window.showTextDocument(document, { preview: false });
    return true;
  }
}
