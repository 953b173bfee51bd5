import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../../kube/client';
import { describeKubeError, isKubeApiError } from '../../kube/errors';
import { watchList, type RawObject } from '../../kube/watch';
import { WatchedCollection } from '../../kube/watchedCollection';
import type { Logger } from '../../process/log';
import { VCLUSTER_SELECTOR } from '../identity';
import { summarize, type DiscoveryResult, type HostDiscovery, type VClusterSummary } from './discoverVClusters';
import { configSecretMarks, type ConfigSecretMarks } from './sleepState';
import type { VClusterWorkload } from './status';

/**
 * The vClusters of one host context, kept live: a list-then-watch (src/kube/watch.ts) of the
 * StatefulSets, Deployments and pods labelled app=vcluster, and of the metadata (never the data)
 * of their config Secrets, summarized with the same pure summarize() as a one-shot discovery, so
 * both give the CLI's statuses: Paused is the workload's annotation, "Sleeping (workloads only)"
 * the config Secret's, the rest its pods' state (as the CLI derives them).
 * When listing all namespaces is forbidden it watches the context's namespace instead, as the
 * one-shot discovery and the CLI do. Failures are retried by watchList with a bounded back-off;
 * the host reads as an error meanwhile and recovers by itself. The config Secrets are the
 * exception: as the CLI ignores a Secret it cannot read, failing to watch them never makes the
 * host an error, it only leaves the sleep status out.
 */

export interface HostWatchOptions {
  client: KubeClient;
  hostContext: string;
  /** The context's namespace, watched when watching all namespaces is forbidden. */
  contextNamespace: string | undefined;
  logger: Logger;
  /** Bound on each list page and on a watch's response headers. */
  requestTimeoutMs: number;
  /** Bursts of events within this many ms become one summary (default 20). */
  coalesceMs?: number;
  /** Retry delays of a failing watch (defaults: 250 ms doubling to 10 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

type Scope = DiscoveryResult['scope'];

/** One watched resource of a host: its kind, its path, and what the watch holds. */
class WatchedResource extends WatchedCollection<RawObject> {
  constructor(readonly kind: 'StatefulSet' | 'Deployment' | 'Pod', readonly path: string) {
    super((raw) => raw, objectKey);
  }
}

/**
 * The config Secrets, kept as their sleep marks only: nothing else of a Secret is held. Other
 * Secrets labelled app=vcluster share one empty key and are left out when read.
 */
class WatchedConfigSecrets extends WatchedCollection<ConfigSecretMarks | undefined> {
  /** Ends this watch alone, when it falls back to one namespace or gives up. */
  readonly controller = new AbortController();
  constructor(readonly path: string, readonly namespace: string | undefined) {
    super(configSecretMarks, (marks) => (marks ? `${marks.namespace}/${marks.vcluster}` : ''));
  }
}

interface Run {
  controller: AbortController;
  scope: Scope;
  collections: WatchedResource[];
  configSecrets: WatchedConfigSecrets;
}

export class HostWatch {
  private run: Run | undefined;
  private current: HostDiscovery = { state: 'loading' };
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<(state: HostDiscovery) => void>();
  private readonly coalesceMs: number;

  constructor(private readonly options: HostWatchOptions) {
    this.coalesceMs = Math.max(0, options.coalesceMs ?? 20);
  }

  get state(): HostDiscovery {
    return this.current;
  }

  get running(): boolean {
    return this.run !== undefined;
  }

  /** Told when the state changes: a vCluster's status, the set of vClusters, or loading/error. */
  onDidChange(listener: (state: HostDiscovery) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** Lists and watches all namespaces (or the context's, when that is forbidden); idempotent. */
  start(): void {
    if (this.run) return;
    this.begin({ allNamespaces: true });
  }

  /** Ends the watches; the last state stays readable (a stopped watch's answer may be stale). */
  stop(): void {
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    run.controller.abort();
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  dispose(): void {
    this.stop();
    this.listeners.clear();
  }

  private begin(scope: Scope): void {
    const prefix = namespacePrefix(scope.allNamespaces ? undefined : scope.namespace);
    const collection = (kind: WatchedResource['kind'], path: string) => new WatchedResource(kind, path);
    const run: Run = {
      controller: new AbortController(),
      scope,
      collections: [
        collection('StatefulSet', `/apis/apps/v1${prefix}/statefulsets`),
        collection('Deployment', `/apis/apps/v1${prefix}/deployments`),
        // Pods in full: their container states make the status.
        collection('Pod', `/api/v1${prefix}/pods`),
      ],
      configSecrets: configSecretsIn(scope.allNamespaces ? undefined : scope.namespace),
    };
    this.run = run;
    for (const watched of run.collections) this.watch(run, watched, (error, retryInMs) => this.failed(run, watched, error, retryInMs));
    this.watchConfigSecrets(run, run.configSecrets);
  }

  private watchConfigSecrets(run: Run, watched: WatchedConfigSecrets): void {
    run.configSecrets = watched;
    // Metadata only, and nothing else offered: a Secret's data is never asked for.
    this.watch(run, watched, (error, retryInMs) => this.configSecretsFailed(run, watched, error, retryInMs), { metadataOnly: 'required', signal: watched.controller.signal });
  }

  private watch(run: Run, watched: WatchedResource | WatchedConfigSecrets, failed: (error: unknown, retryInMs: number) => void, own: { metadataOnly?: 'required'; signal?: AbortSignal } = {}): void {
    const { client, requestTimeoutMs, initialBackoffMs, maxBackoffMs } = this.options;
    const ownSignal = own.signal;
    void watchList(client, watched.path, {
      query: { labelSelector: VCLUSTER_SELECTOR },
      requestTimeoutMs,
      ...(own.metadataOnly ? { metadataOnly: own.metadataOnly } : {}),
      ...(initialBackoffMs === undefined ? {} : { initialBackoffMs }),
      ...(maxBackoffMs === undefined ? {} : { maxBackoffMs }),
    }, watched.handlers(() => this.run === run && !ownSignal?.aborted, () => this.schedule(run), failed), ownSignal ? AbortSignal.any([run.controller.signal, ownSignal]) : run.controller.signal);
  }

  /**
   * The config Secrets' own fallbacks. Forbidden in all namespaces: the context's namespace is
   * watched, where a user limited to one namespace keeps their vClusters (the CLI, refused,
   * asks in that namespace too, though for a Secret named NAME rather than vc-config-NAME).
   * Forbidden there as well, or a server that cannot send metadata only (406): no Secret is
   * known, and statuses come from the workloads and pods, as the CLI's do when its read fails.
   */
  private configSecretsFailed(run: Run, watched: WatchedConfigSecrets, error: unknown, retryInMs: number): void {
    const { hostContext, logger } = this.options;
    const described = describeKubeError(error, Math.round(this.options.requestTimeoutMs / 1000));
    if (described.kind === 'forbidden' && watched.namespace === undefined) {
      const namespace = this.options.contextNamespace ?? 'default';
      logger.info(`[discovery] ${hostContext}: reading config Secrets in namespace ${namespace} only (listing them in all namespaces is forbidden)`);
      watched.controller.abort();
      this.watchConfigSecrets(run, configSecretsIn(namespace));
      this.schedule(run);
      return;
    }
    if (described.kind === 'forbidden' || (isKubeApiError(error) && (error.status === 406 || error.status === 404))) {
      logger.info(`[discovery] ${hostContext}: no sleep status from config Secrets (${described.message})`);
      watched.controller.abort();
      watched.markUnavailable();
      this.schedule(run);
      return;
    }
    const alreadyFailing = isFailing(run);
    watched.countFailure(error);
    const message = `[discovery] ${hostContext}: ${described.message} (watching config Secrets); retrying in ${retryInMs} ms`;
    if (alreadyFailing) logger.trace(message);
    else logger.warn(message);
    this.schedule(run);
  }

  private failed(run: Run, watched: WatchedResource, error: unknown, retryInMs: number): void {
    const described = describeKubeError(error, Math.round(this.options.requestTimeoutMs / 1000));
    const { hostContext, logger } = this.options;
    if (described.kind === 'forbidden' && run.scope.allNamespaces) {
      // As the CLI does: without the right to list everywhere, look in the context's namespace.
      const namespace = this.options.contextNamespace ?? 'default';
      logger.info(`[discovery] ${hostContext}: watching namespace ${namespace} only (listing ${watched.kind}s in all namespaces is forbidden)`);
      run.controller.abort();
      this.begin({ allNamespaces: false, namespace });
      return;
    }
    // One warning when the host starts failing (an unreachable host fails all four at once).
    const alreadyFailing = isFailing(run);
    watched.countFailure(error);
    const message = `[discovery] ${hostContext}: ${described.message} (watching ${watched.kind}s); retrying in ${retryInMs} ms`;
    if (alreadyFailing) logger.trace(message);
    else logger.warn(message);
    this.schedule(run);
  }

  /** Coalesces a burst: the first change of a quiet period schedules one summary. */
  private schedule(run: Run): void {
    if (this.flushTimer || this.run !== run) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      if (this.run === run) this.update(run);
    }, this.coalesceMs);
  }

  private update(run: Run): void {
    const next = this.stateOf(run);
    // Pod heartbeats and resourceVersion churn change nothing shown: no event for them.
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = next;
    for (const listener of [...this.listeners]) listener(next);
  }

  private stateOf(run: Run): HostDiscovery {
    const down = run.collections.find((watched) => watched.isDown);
    if (down) return { state: 'error', error: describeKubeError(down.lastError, Math.round(this.options.requestTimeoutMs / 1000)) };
    // Config Secrets failing before their first list are waited for no longer: the CLI too goes
    // on without a Secret it cannot read.
    const secretsAnswered = run.configSecrets.listed || run.configSecrets.failures > 0;
    if (!run.collections.every((watched) => watched.listed) || !secretsAnswered) return this.current.state === 'ok' ? this.current : { state: 'loading' };
    const [statefulSets, deployments, pods] = run.collections.map((watched) => [...watched.objects.values()]) as [RawObject[], RawObject[], RawObject[]];
    const configSecrets = [...run.configSecrets.objects.values()].filter((marks): marks is ConfigSecretMarks => marks !== undefined);
    const vclusters: VClusterSummary[] = summarize(this.options.hostContext, [
      ...statefulSets.map((workload) => ({ workload: workload as VClusterWorkload, kind: 'StatefulSet' as const })),
      ...deployments.map((workload) => ({ workload: workload as VClusterWorkload, kind: 'Deployment' as const })),
    ], inListOrder(pods) as V1Pod[], configSecrets);
    return { state: 'ok', result: { vclusters, scope: run.scope } };
  }
}

/** Some watch of the run is failing now. */
function isFailing(run: Run): boolean {
  return run.configSecrets.failures > 0 || run.collections.some((watched) => watched.failures > 0);
}

function namespacePrefix(namespace: string | undefined): string {
  return namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
}

/** The config Secrets of all namespaces (undefined) or of one. */
function configSecretsIn(namespace: string | undefined): WatchedConfigSecrets {
  return new WatchedConfigSecrets(`/api/v1${namespacePrefix(namespace)}/secrets`, namespace);
}

function objectKey(object: RawObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/**
 * The CLI takes the last pod of a list as the vCluster's; a list is in name order, which a map
 * filled by events is not. Sorted by namespace and name, the watch picks the same pod as a list.
 */
function inListOrder(pods: RawObject[]): RawObject[] {
  // The API server lists in etcd's key order (namespace, then name), bytewise.
  return [...pods].sort((a, b) => (objectKey(a) < objectKey(b) ? -1 : objectKey(a) > objectKey(b) ? 1 : 0));
}
