import type { V1Deployment, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import type { KubeClient } from '../../kube/client';
import { describeKubeError, type KubeErrorDescription } from '../../kube/errors';
import { METADATA_ONLY_LIST_ACCEPT, type RawObject } from '../../kube/watch';
import { configSecretMarks, type ConfigSecretMarks, type SleepMarks } from './sleepState';
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
  /** The platform's sleep-mode marks on Secret vc-config-NAME, when it has any (see sleepState.ts). */
  sleep?: SleepMarks;
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
 * Finds the vClusters on one host context with four list calls (StatefulSets, Deployments, their
 * pods, and the metadata of their config Secrets), where the CLI makes a Secret read and a pod
 * list per vCluster; same results, same statuses.
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

  const contextNamespace = options.contextNamespace ?? 'default';
  // Asked alongside the workloads; it fails only when the whole discovery is cancelled.
  const configSecrets = listConfigSecrets(client, contextNamespace, signal);
  configSecrets.catch(() => undefined);
  let lists: Awaited<ReturnType<typeof listEverywhere>>;
  let scope: DiscoveryResult['scope'];
  try {
    lists = await listEverywhere();
    scope = { allNamespaces: true };
  } catch (error) {
    if (!isForbidden(error)) throw error;
    lists = await listIn(contextNamespace);
    scope = { allNamespaces: false, namespace: contextNamespace };
  }
  const [statefulSets, deployments, pods] = lists;
  return {
    vclusters: summarize(hostContext, [
      ...statefulSets.items.map((workload) => ({ workload, kind: 'StatefulSet' as const })),
      ...deployments.items.map((workload) => ({ workload, kind: 'Deployment' as const })),
    ], pods.items, await configSecrets),
    scope,
  };
}

/**
 * The metadata of the config Secrets (vc-config-NAME, labelled app=vcluster by every chart that
 * writes one, v0.20+), never their data: the Accept header offers metadata only. As the CLI,
 * which ignores a Secret it cannot read, a failure here costs only the sleep status; where all
 * namespaces are forbidden the context's namespace is asked, as for the workloads.
 */
async function listConfigSecrets(client: KubeClient, contextNamespace: string, signal: AbortSignal): Promise<ConfigSecretMarks[]> {
  const list = async (namespace: string | undefined) => {
    const path = namespace === undefined ? '/api/v1/secrets' : `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;
    const answer = await client.request<{ items?: RawObject[] }>('GET', path, { query: { labelSelector: VCLUSTER_SELECTOR }, accept: METADATA_ONLY_LIST_ACCEPT }, signal);
    return (answer?.items ?? []).flatMap((item) => configSecretMarks(item) ?? []);
  };
  try {
    try {
      return await list(undefined);
    } catch (error) {
      if (!isForbidden(error)) throw error;
      return await list(contextNamespace);
    }
  } catch (error) {
    if (signal.aborted) throw error;
    return [];
  }
}

/**
 * Pure: pairs workloads with their pods (by namespace and release label) and their config
 * Secret's sleep marks (by namespace and name), and derives status.
 */
export function summarize(
  hostContext: string,
  workloads: ReadonlyArray<{ workload: VClusterWorkload; kind: VClusterSummary['workloadKind'] }>,
  pods: readonly V1Pod[],
  configSecrets: readonly ConfigSecretMarks[] = [],
): VClusterSummary[] {
  const sleepByVCluster = new Map(configSecrets.map((secret) => [`${secret.namespace}/${secret.vcluster}`, secret.sleep]));
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
    const sleep = sleepByVCluster.get(`${namespace}/${name}`);
    summaries.push({
      name,
      namespace,
      hostContext,
      status: vclusterStatus(workload, podsByRelease.get(`${namespace}/${name}`) ?? [], sleep),
      version: vclusterVersion(workload),
      created: workload.metadata?.creationTimestamp ? new Date(workload.metadata.creationTimestamp) : undefined,
      workloadKind: kind,
      ...(sleep && Object.keys(sleep).length > 0 ? { sleep } : {}),
    });
  }
  return summaries.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}
