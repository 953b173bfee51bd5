import * as vscode from 'vscode';
import type { KubeClient } from '../kube/client';
import { logUri, type LogAddress } from '../documents/logDocuments';
import { vclusterSelector } from '../vcluster/identity';
import { statusTone } from '../vcluster/discovery/status';
import type { VClusterServices } from '../vcluster/vclusterServices';
import type { Command } from './command';
import { targetVCluster, type LifecycleUi } from './lifecycleUi';
import { pickContainer, pickRun, type PodObject } from './logPickers';

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
    if (statusTone(vcluster.status) === 'paused') {
      const choice = await vscode.window.showInformationMessage(`vCluster ${vcluster.name} is ${vcluster.status.toLowerCase()}: its control plane is not running, so there is no log to show.`, 'Resume');
      if (choice === 'Resume') await vscode.commands.executeCommand('vcluster.resumeVCluster', arg ?? vcluster);
      return false;
    }
    const client = await this.vclusters.hostClient(vcluster.hostContext);
    const pods = await listControlPlanePods(client, vcluster.namespace, vcluster.name);
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

/** The chart's pods of one vCluster (StatefulSet or Deployment), by the labels the CLI uses. */
export async function listControlPlanePods(client: KubeClient, namespace: string, name: string): Promise<PodObject[]> {
  const list = await client.getJson<{ items?: PodObject[] }>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, { labelSelector: vclusterSelector(name) }, AbortSignal.timeout(15_000));
  return (list?.items ?? []).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}
