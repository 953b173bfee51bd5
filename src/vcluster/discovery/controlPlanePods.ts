import type { KubeClient } from '../../kube/client';
import { vclusterSelector, type VClusterRef } from '../identity';

/** What the extension reads of a pod: its containers, their state and restarts (no spec beyond names). */
export interface PodInfo {
  metadata?: { name?: string; namespace?: string; creationTimestamp?: string; deletionTimestamp?: string };
  spec?: { containers?: Array<{ name?: string }>; initContainers?: Array<{ name?: string }> };
  status?: {
    phase?: string;
    containerStatuses?: ContainerInfo[];
    initContainerStatuses?: ContainerInfo[];
  };
}

export interface ContainerInfo {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string }; terminated?: { reason?: string } };
}

/**
 * The chart's pods of one vCluster (StatefulSet or Deployment), by the labels the CLI uses, in
 * name order: what the log command picks from, Connect forwards to, and "why not synced" asks
 * whether the syncer runs in.
 */
export async function listControlPlanePods(client: KubeClient, vcluster: Pick<VClusterRef, 'namespace' | 'name'>, signal: AbortSignal): Promise<PodInfo[]> {
  const list = await client.getJson<{ items?: PodInfo[] }>(`/api/v1/namespaces/${encodeURIComponent(vcluster.namespace)}/pods`, { labelSelector: vclusterSelector(vcluster.name) }, signal);
  return (list?.items ?? []).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}
