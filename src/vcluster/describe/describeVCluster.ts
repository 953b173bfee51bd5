import type { V1Deployment, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { KubeClient } from '../../kube/client';
import { describeKubeError, isKubeApiError } from '../../kube/errors';
import { summarize } from '../discovery/discoverVClusters';
import { sleepMarks } from '../discovery/sleepState';
import { configSecretName, vclusterSelector, type VClusterRef } from '../identity';
import { decodeConfigSecret } from '../vclusterConfig';
import {
  backingStoreType,
  currentRelease,
  decodeHelmRelease,
  imagesFromConfig,
  sleepSettings,
  syncDirections,
  type HelmRelease,
  type VClusterDescription,
} from './describeModel';

/** Each request's bound: describe reads six small objects, a slower answer is a sick API server. */
export const DESCRIBE_REQUEST_TIMEOUT_MS = 15_000;

/** A failure to describe that says which object is at fault; never carries the user's values. */
export class DescribeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DescribeError';
  }
}

type List<T> = { items: T[] };
type SecretObject = { metadata?: { name?: string; annotations?: Record<string, string> }; data?: Record<string, string> };

/**
 * Reads what `vcluster describe NAME -n NAMESPACE` shows, from the host only: the workload and its
 * pods (status, version, created: the discovery's reading), Secret vc-config-NAME (the effective
 * config: backing store, images, sync, sleep) and the helm release Secrets (the user's values).
 * Each request is bounded by DESCRIBE_REQUEST_TIMEOUT_MS and by `signal`.
 */
export async function describeVCluster(options: { client: KubeClient; vcluster: VClusterRef; signal: AbortSignal }): Promise<VClusterDescription> {
  const { client, vcluster } = options;
  const namespacePath = `/api/v1/namespaces/${encodeURIComponent(vcluster.namespace)}`;
  const appsPath = `/apis/apps/v1/namespaces/${encodeURIComponent(vcluster.namespace)}`;
  const workloadQuery = { labelSelector: vclusterSelector(vcluster.name) };
  const bounded = () => AbortSignal.any([options.signal, AbortSignal.timeout(DESCRIBE_REQUEST_TIMEOUT_MS)]);
  const read = <T>(what: string, path: string, query: Record<string, string> = {}) =>
    client.getJson<T>(path, query, bounded()).catch((error: unknown) => {
      if (options.signal.aborted) throw error;
      throw new ReadError(what, error);
    });

  const secretName = configSecretName(vcluster.name);
  const [statefulSets, deployments, pods, configSecret, releases] = await Promise.all([
    read<List<V1StatefulSet>>('the StatefulSets', `${appsPath}/statefulsets`, workloadQuery),
    read<List<V1Deployment>>('the Deployments', `${appsPath}/deployments`, workloadQuery),
    read<List<V1Pod>>('the pods', `${namespacePath}/pods`, workloadQuery),
    read<SecretObject>(`Secret ${secretName}`, `${namespacePath}/secrets/${encodeURIComponent(secretName)}`).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
    readUserConfig(read, namespacePath, vcluster.name),
  ]);

  // The CLI's describe reads its status as its list does: the config Secret's sleep marks count.
  const configSecrets = configSecret instanceof Error ? [] : [{ namespace: vcluster.namespace, vcluster: vcluster.name, sleep: sleepMarks(configSecret.metadata?.annotations) }];
  const summary = summarize(vcluster.hostContext, [
    ...statefulSets.items.map((workload) => ({ workload, kind: 'StatefulSet' as const })),
    ...deployments.items.map((workload) => ({ workload, kind: 'Deployment' as const })),
  ], pods.items, configSecrets).find((candidate) => candidate.name === vcluster.name && candidate.namespace === vcluster.namespace);
  if (!summary) throw new DescribeError(`no vCluster ${vcluster.name} in namespace ${vcluster.namespace} of ${vcluster.hostContext} (no StatefulSet or Deployment labelled ${vclusterSelector(vcluster.name)})`);

  if (configSecret instanceof Error) {
    if (configSecret instanceof ReadError && configSecret.notFound) {
      throw new DescribeError(`Secret ${secretName} is missing in namespace ${vcluster.namespace}: it holds the vCluster's config (charts before v0.20 did not write it; upgrade the vCluster to describe it)`);
    }
    throw configSecret;
  }
  const decoded = decodeConfigSecret(configSecret);
  if (decoded.state === 'noConfigKey') throw new DescribeError(`Secret ${secretName} in namespace ${vcluster.namespace} has no config.yaml`);
  if (decoded.state === 'damaged') throw new DescribeError(`Secret ${secretName}'s config.yaml is damaged: ${decoded.problem}`);
  const config = decoded.config;

  const argoCdTrackingId = configSecret.metadata?.annotations?.['argocd.argoproj.io/tracking-id'];
  return {
    name: summary.name,
    namespace: summary.namespace,
    hostContext: vcluster.hostContext,
    version: summary.version,
    status: summary.status,
    created: summary.created,
    backingStore: backingStoreType(config),
    images: imagesFromConfig(config, summary.version),
    ...releases,
    sync: syncDirections(config),
    sleep: sleepSettings(config),
    ...(summary.sleep ? { sleepMarks: summary.sleep } : {}),
    ...(argoCdTrackingId ? { argoCdTrackingId } : {}),
  };
}

/** A failed read, named after what was being read. */
class ReadError extends Error {
  readonly notFound: boolean;
  constructor(what: string, cause: unknown) {
    const described = describeKubeError(cause, DESCRIBE_REQUEST_TIMEOUT_MS / 1000);
    super(`could not read ${what}: ${described.message}`);
    this.name = 'ReadError';
    this.notFound = isKubeApiError(cause) && cause.status === 404;
  }
}

/**
 * The user's vcluster.yaml from the current helm release, as the CLI shows it (keys sorted, as
 * its JSON-to-YAML does). Its absence is not fatal (the CLI only warns): the reason goes in the
 * description instead.
 */
async function readUserConfig(
  read: <T>(what: string, path: string, query?: Record<string, string>) => Promise<T>,
  namespacePath: string,
  name: string,
): Promise<Pick<VClusterDescription, 'userConfigYaml' | 'userConfigProblem'>> {
  let secrets: List<SecretObject>;
  try {
    secrets = await read<List<SecretObject>>(`the helm release Secrets of ${name}`, `${namespacePath}/secrets`, { labelSelector: `owner=helm,name=${name}` });
  } catch (error) {
    if (error instanceof ReadError) return { userConfigYaml: undefined, userConfigProblem: error.message };
    throw error;
  }
  const decoded: HelmRelease[] = [];
  let firstProblem: string | undefined;
  for (const secret of secrets.items) {
    const secretName = secret.metadata?.name ?? '(unnamed)';
    const release = secret.data?.release;
    if (!release) continue;
    try {
      decoded.push(decodeHelmRelease(secretName, release));
    } catch (error) {
      firstProblem ??= (error as Error).message;
    }
  }
  const current = currentRelease(decoded);
  if (!current) {
    return { userConfigYaml: undefined, userConfigProblem: firstProblem ?? `no helm release Secret (sh.helm.release.v1.${name}.vN) in the namespace: the vCluster was not installed with helm` };
  }
  return { userConfigYaml: stringify(current.config, { sortMapEntries: true }) };
}
