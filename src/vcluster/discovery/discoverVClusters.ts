import type { V1Deployment, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import type { KubeClient } from '../../kube/client';
import { describeKubeError, type KubeErrorDescription } from '../../kube/errors';
import { vclusterStatus, vclusterVersion, type VClusterWorkload } from './status';
import { VCLUSTER_SELECTOR } from '../identity';


export interface VClusterSummary {
  name: string;
  namespace: string;
  /** The host kube context it was found through. */
  hostContext: string;
  status: string;
  version: string | undefined;
  created: Date | undefined;
  workloadKind: 'StatefulSet' | 'Deployment';
}

export interface DiscoveryResult {
  vclusters: VClusterSummary[];
  /** All namespaces, or only the context's own when listing cluster-wide was forbidden (as the CLI does). */
  scope: { allNamespaces: true } | { allNamespaces: false; namespace: string };
}

/** What a host's discovery says now: still loading, its vClusters, or why it cannot answer. */
export type HostDiscovery =
  | { state: 'loading' }
  | { state: 'ok'; result: DiscoveryResult }
  | { state: 'error'; error: KubeErrorDescription };

function isForbidden(error: unknown): boolean {
  return describeKubeError(error).kind === 'forbidden';
}

export interface DiscoveryOptions {
  client: KubeClient;
  hostContext: string;
  /** The context's namespace, used when listing all namespaces is forbidden. */
  contextNamespace: string | undefined;
  signal: AbortSignal;
}

/**
 * Finds the vClusters on one host context with three list calls (StatefulSets, Deployments,
 * and their pods), where the CLI makes one pod list per vCluster; same results, same statuses.
 */
export async function discoverVClusters(options: DiscoveryOptions): Promise<DiscoveryResult> {
  const { client, hostContext, signal } = options;
  const query = { labelSelector: VCLUSTER_SELECTOR };
  type List<T> = { items: T[] };
  const listAt = (prefix: string) =>
    Promise.all([
      client.getJson<List<V1StatefulSet>>(`/apis/apps/v1${prefix}/statefulsets`, query, signal),
      client.getJson<List<V1Deployment>>(`/apis/apps/v1${prefix}/deployments`, query, signal),
      client.getJson<List<V1Pod>>(`/api/v1${prefix}/pods`, query, signal),
    ]);
  const listEverywhere = () => listAt('');
  const listIn = (namespace: string) => listAt(`/namespaces/${encodeURIComponent(namespace)}`);

  let lists: Awaited<ReturnType<typeof listEverywhere>>;
  let scope: DiscoveryResult['scope'];
  try {
    lists = await listEverywhere();
    scope = { allNamespaces: true };
  } catch (error) {
    if (!isForbidden(error)) throw error;
    const namespace = options.contextNamespace ?? 'default';
    lists = await listIn(namespace);
    scope = { allNamespaces: false, namespace };
  }
  const [statefulSets, deployments, pods] = lists;
  return {
    vclusters: summarize(hostContext, [
      ...statefulSets.items.map((workload) => ({ workload, kind: 'StatefulSet' as const })),
      ...deployments.items.map((workload) => ({ workload, kind: 'Deployment' as const })),
    ], pods.items),
    scope,
  };
}

/** Pure: pairs workloads with their pods (by namespace and release label) and derives status. */
export function summarize(
  hostContext: string,
  workloads: ReadonlyArray<{ workload: VClusterWorkload; kind: VClusterSummary['workloadKind'] }>,
  pods: readonly V1Pod[],
): VClusterSummary[] {
  const podsByRelease = new Map<string, V1Pod[]>();
  for (const pod of pods) {
    const release = pod.metadata?.labels?.release;
    if (!release) continue;
    const key = `${pod.metadata?.namespace}/${release}`;
    const list = podsByRelease.get(key) ?? [];
    list.push(pod);
    podsByRelease.set(key, list);
  }
  const summaries: VClusterSummary[] = [];
  for (const { workload, kind } of workloads) {
    const name = workload.metadata?.labels?.release;
    const namespace = workload.metadata?.namespace;
    if (!name || !namespace) continue;
    summaries.push({
      name,
      namespace,
      hostContext,
      status: vclusterStatus(workload, podsByRelease.get(`${namespace}/${name}`) ?? []),
      version: vclusterVersion(workload),
      created: workload.metadata?.creationTimestamp ? new Date(workload.metadata.creationTimestamp) : undefined,
      workloadKind: kind,
    });
  }
  return summaries.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}
