import type { KubeClient } from '../../kube/client';
import { describeKubeError } from '../../kube/errors';
import { readPodLogTail } from '../../kube/podLogs';
import { listControlPlanePods, type PodInfo } from '../discovery/controlPlanePods';
import type { MappingPair, SyncSettings } from '../mapping/mapping';
import type { ObjectEvent } from '../mapping/pairEvents';
import { explainWhyNotSynced, linesNaming, type SyncerState, type WhyReport } from './whyNotSynced';

/** How much of the syncer's log is searched for lines naming the object (its tail). */
export const SYNCER_LOG_TAIL = 5_000;
const READ_TIMEOUT_MS = 15_000;

export interface WhySources {
  hostClient: KubeClient;
  vcluster: { name: string; namespace: string; status: string };
  pair: MappingPair;
  /** The live mapping's view of the pair: its config, events, and whether the virtual side answers. */
  sync: SyncSettings;
  events: readonly ObjectEvent[];
  eventNotes: readonly string[];
  virtualReachable: boolean;
  signal: AbortSignal;
  now?: Date;
}


/** Reads what the report needs beyond the live mapping (the syncer's pod and its log) and explains. */
export async function gatherWhyNotSynced(sources: WhySources): Promise<WhyReport> {
  const { hostClient, vcluster, pair, signal } = sources;
  const bounded = () => AbortSignal.any([signal, AbortSignal.timeout(READ_TIMEOUT_MS)]);
  let syncer: SyncerState;
  let syncerLog: WhyReport['input']['syncerLog'];
  try {
    syncer = syncerState(await listControlPlanePods(hostClient, vcluster, bounded()), vcluster.status);
  } catch (error) {
    syncer = { state: 'notRunning', reason: `its pods cannot be listed: ${describeKubeError(error, READ_TIMEOUT_MS / 1000).message}` };
  }
  if (syncer.state === 'running') {
    try {
      const lines = await readPodLogTail(hostClient, { namespace: vcluster.namespace, pod: syncer.pod, container: 'syncer' }, SYNCER_LOG_TAIL, bounded());
      const object = pair.virtual ?? pair.host!;
      syncerLog = { lines: linesNaming(lines, object, pair.host?.name), searched: lines.length };
    } catch (error) {
      syncerLog = { problem: describeKubeError(error, READ_TIMEOUT_MS / 1000).message };
    }
  } else {
    syncerLog = { problem: 'the syncer is not running' };
  }
  return explainWhyNotSynced({
    pair, vclusterName: vcluster.name, vclusterStatus: vcluster.status, sync: sources.sync,
    events: sources.events, eventNotes: sources.eventNotes, syncer, syncerLog,
    virtualReachable: sources.virtualReachable, now: sources.now ?? new Date(),
  });
}

/** Running: a pod of the vCluster whose syncer container is ready; else why not, as kubectl would say. */
export function syncerState(pods: readonly PodInfo[], vclusterStatus: string): SyncerState {
  if (pods.length === 0) return { state: 'notRunning', reason: `the vCluster has no pod (status ${vclusterStatus || 'unknown'})` };
  for (const pod of pods) {
    const container = pod.status?.containerStatuses?.find((status) => status.name === 'syncer');
    if (pod.status?.phase === 'Running' && container?.ready && pod.metadata?.name) return { state: 'running', pod: pod.metadata.name };
  }
  const container = pods[0]!.status?.containerStatuses?.find((status) => status.name === 'syncer');
  const reason = container?.state?.waiting?.reason ?? container?.state?.terminated?.reason ?? pods[0]!.status?.phase ?? 'unknown';
  return { state: 'notRunning', reason: `pod ${pods[0]!.metadata?.name ?? ''}: ${reason}` };
}
