import * as vscode from 'vscode';
import { logUri, parseLogUri, podPairLog, type PodPairAddress } from '../documents/logDocuments';
import type { KubeClient } from '../kube/client';
import { describeKubeError } from '../kube/errors';
import { statusTone } from '../vcluster/discovery/status';
import { hasHostObject, hasVirtualObject } from '../vcluster/mapping/mapping';
import type { VClusterServices } from '../vcluster/vclusterServices';
import type { MappingPairNode } from '../tree/mappingNodes';
import type { Command } from './command';
import { offerResumeIfPaused } from './lifecycleUi';
import { pickContainer, pickRun, type PodObject } from './logPickers';

type Side = 'virtual' | 'host';

function isPodPairNode(value: unknown): value is MappingPairNode {
  const node = value as MappingPairNode | undefined;
  return node?.kind === 'mappingPair' && node.pair.kind === 'Pod';
}

/** Both pods of a pod pair, as far as they exist (the host pod's name is known once it was made). */
function podPair(node: MappingPairNode): PodPairAddress | undefined {
  const { pair, vcluster } = node;
  if (!pair.virtual?.namespace || !pair.host?.namespace) return undefined;
  return { vcluster: { hostContext: vcluster.hostContext, namespace: vcluster.namespace, name: vcluster.name }, virtualNamespace: pair.virtual.namespace, virtualPod: pair.virtual.name, hostNamespace: pair.host.namespace, hostPod: pair.host.name };
}

/**
 * Opens one side of a pod pair's log in a tab that follows it: the virtual pod's through the
 * virtual cluster (what the user's app prints, as `kubectl logs` in the vCluster shows it), or the
 * host pod's. Container and run (after a restart) are asked when there is a choice.
 */
export async function openPodPairLog(vclusters: VClusterServices, pair: PodPairAddress, side: Side, options: { container?: string } = {}): Promise<boolean> {
  const client = side === 'virtual' ? await vclusters.connector.virtualClient(pair.vcluster) : await vclusters.hostClient(pair.vcluster.hostContext);
  if (!client) {
    const choice = await vscode.window.showInformationMessage(`vCluster ${pair.vcluster.name} is not connected: its pods' logs are read through it.`, 'Connect', 'Show Host Pod Log');
    if (choice === 'Connect') await vscode.commands.executeCommand('vcluster.connectVCluster', pair.vcluster);
    if (choice === 'Show Host Pod Log') return openPodPairLog(vclusters, pair, 'host', options);
    return false;
  }
  const namespace = side === 'virtual' ? pair.virtualNamespace : pair.hostNamespace;
  const name = side === 'virtual' ? pair.virtualPod : pair.hostPod;
  const pod = await readPod(client, namespace, name, side);
  if (!pod) return false;
  const title = `${side === 'virtual' ? 'Logs' : 'Host Logs'}: ${namespace}/${name}`;
  const known = options.container && [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((container) => container.name === options.container);
  const container = known ? options.container : await pickContainer(pod, title);
  if (!container) {
    if ((pod.spec?.containers ?? []).length === 0) void vscode.window.showInformationMessage(`Pod ${namespace}/${name} has no containers: there is no log to show.`);
    return false;
  }
  const previous = await pickRun(pod, container, title);
  if (previous === undefined) return false;
  const document = await vscode.workspace.openTextDocument(logUri(podPairLog(pair, side, container, previous)));
  await vscode.window.showTextDocument(document, { preview: false });
  return true;
}

async function readPod(client: KubeClient, namespace: string, name: string, side: Side): Promise<PodObject | undefined> {
  try {
    return await client.getJson<PodObject>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`, {}, AbortSignal.timeout(15_000));
  } catch (error) {
    const described = describeKubeError(error, 15);
    const where = side === 'virtual' ? 'in the virtual cluster' : 'on the host';
    void vscode.window.showWarningMessage(described.kind === 'notFound' ? `Pod ${namespace}/${name} is gone ${where}: there is no log to show.` : `Pod ${namespace}/${name} ${where} cannot be read: ${described.message}`);
    return undefined;
  }
}

/** Show Logs / Show Host Logs on a pod pair in the tree (and the inspector's buttons). */
abstract class ShowPairLogsCommand implements Command {
  abstract readonly id: string;
  protected abstract readonly side: Side;

  constructor(private readonly vclusters: VClusterServices) {}

  async run(node?: unknown): Promise<boolean> {
    if (!isPodPairNode(node)) {
      void vscode.window.showInformationMessage('Choose a pod in a vCluster\'s mapping in the vCluster view (or in the mapping inspector).');
      return false;
    }
    if (statusTone(node.vcluster.status) === 'sleeping') {
      void vscode.window.showInformationMessage(`vCluster ${node.vcluster.name}'s workloads are sleeping: its pods are not running until it wakes, so there is no log to show.`);
      return false;
    }
    if (await offerResumeIfPaused(node.vcluster, 'its pods are not running, so there is no log to show.')) return false;
    const exists = this.side === 'virtual' ? hasVirtualObject(node.pair) : hasHostObject(node.pair);
    const pair = podPair(node);
    if (!exists || !pair) {
      const why = this.side === 'virtual' ? 'its virtual pod is gone (an orphan)' : 'the syncer has not made its host pod';
      void vscode.window.showInformationMessage(`Pod ${node.pair.virtual?.name ?? node.pair.host?.name ?? ''} has no ${this.side} log: ${why}.`);
      return false;
    }
    return openPodPairLog(this.vclusters, pair, this.side);
  }
}

export class ShowPodLogsCommand extends ShowPairLogsCommand {
  readonly id = 'vcluster.showPodLogs';
  protected readonly side = 'virtual' as const;
}

export class ShowHostPodLogsCommand extends ShowPairLogsCommand {
  readonly id = 'vcluster.showHostPodLogs';
  protected readonly side = 'host' as const;
}

/** From a pod pair's log tab, the other pod's log (same container): virtual ⇄ host in one click. */
export class ShowOtherSideLogCommand implements Command {
  readonly id = 'vcluster.showOtherSideLog';

  constructor(private readonly vclusters: VClusterServices) {}

  async run(uri?: unknown): Promise<boolean> {
    const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    const address = target ? parseLogUri(target) : undefined;
    if (!address?.pair || !address.side) {
      void vscode.window.showInformationMessage('Open the log of a pod in a vCluster\'s mapping first: its other side is the pod the syncer made of it (or the one it was made from).');
      return false;
    }
    return openPodPairLog(this.vclusters, address.pair, address.side === 'virtual' ? 'host' : 'virtual', { container: address.container });
  }
}
