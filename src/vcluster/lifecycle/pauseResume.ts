import type { V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import type { KubeClient } from '../../kube/client';
import { MANAGED_BY_LABEL, PAUSED_ANNOTATION, PAUSED_DATE_ANNOTATION, PAUSED_REPLICAS_ANNOTATION, type VClusterRef } from '../identity';

/**
 * Pause and resume exactly as the vcluster CLI does (pkg/lifecycle/lifecycle.go), so either tool
 * can undo what the other did: the workload is scaled to 0 and remembers its replica count in
 * annotations, and the workloads the syncer put on the host are deleted (the virtual cluster
 * recreates them on resume).
 */

export interface PausableVCluster extends VClusterRef {
  workloadKind: 'StatefulSet' | 'Deployment';
}

type Workload = V1StatefulSet | V1Deployment;

function workloadPath(vcluster: PausableVCluster): string {
  const plural = vcluster.workloadKind === 'StatefulSet' ? 'statefulsets' : 'deployments';
  return `/apis/apps/v1/namespaces/${encodeURIComponent(vcluster.namespace)}/${plural}/${encodeURIComponent(vcluster.name)}`;
}

export type PauseOutcome = { changed: true; replicas: number } | { changed: false; reason: string };

export async function pauseVCluster(client: KubeClient, vcluster: PausableVCluster, signal: AbortSignal, now = new Date()): Promise<PauseOutcome> {
  const workload = await client.getJson<Workload>(workloadPath(vcluster), {}, signal);
  if (workload.metadata?.annotations?.[PAUSED_ANNOTATION] === 'true') return { changed: false, reason: 'it is already paused' };
  // A workload already at 0 would be resumed to 0: remember 1 instead (the CLI reads the HA
  // replica count from its config here, 1 unless HA is configured).
  const replicas = workload.spec?.replicas || 1;
  await client.request('PATCH', workloadPath(vcluster), {
    body: {
      metadata: {
        annotations: {
          [PAUSED_ANNOTATION]: 'true',
          [PAUSED_REPLICAS_ANNOTATION]: String(replicas),
          [PAUSED_DATE_ANNOTATION]: pausedDate(now),
        },
      },
      spec: { replicas: 0 },
    },
  }, signal);
  await deleteSyncedWorkloads(client, vcluster, signal);
  return { changed: true, replicas };
}

export async function resumeVCluster(client: KubeClient, vcluster: PausableVCluster, signal: AbortSignal): Promise<PauseOutcome> {
  const workload = await client.getJson<Workload>(workloadPath(vcluster), {}, signal);
  const annotations = workload.metadata?.annotations ?? {};
  if (annotations[PAUSED_ANNOTATION] !== 'true') {
    const scaledDown = (workload.spec?.replicas ?? 1) === 0;
    return { changed: false, reason: scaledDown ? 'it is scaled down but not paused; pause it first, then resume (as the vcluster CLI requires)' : 'it is not paused' };
  }
  const remembered = Number.parseInt(annotations[PAUSED_REPLICAS_ANNOTATION] ?? '', 10);
  const replicas = Number.isFinite(remembered) && remembered > 0 ? remembered : 1;
  await client.request('PATCH', workloadPath(vcluster), {
    body: {
      // null removes a key in a merge patch.
      metadata: { annotations: { [PAUSED_ANNOTATION]: null, [PAUSED_REPLICAS_ANNOTATION]: null, [PAUSED_DATE_ANNOTATION]: null } },
      spec: { replicas },
    },
  }, signal);
  return { changed: true, replicas };
}

/** The syncer's pods on the host; without a running syncer nothing would ever clean them up. */
async function deleteSyncedWorkloads(client: KubeClient, vcluster: PausableVCluster, signal: AbortSignal): Promise<void> {
  await client.request('DELETE', `/api/v1/namespaces/${encodeURIComponent(vcluster.namespace)}/pods`, {
    query: { labelSelector: `${MANAGED_BY_LABEL}=${vcluster.name}` },
  }, signal);
}

/**
 * The CLI's format: Go's time.Now().Format("2006-01-02T15:04:05.000Z"), which is local time
 * followed by a literal Z (not UTC). Written the same way so the CLI reads back what it expects.
 */
export function pausedDate(now: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}Z`;
}
