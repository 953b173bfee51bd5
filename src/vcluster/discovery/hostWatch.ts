import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../../kube/client';
import { describeKubeError } from '../../kube/errors';
import { watchList, type RawObject } from '../../kube/watch';
import { WatchedCollection } from '../../kube/watchedCollection';
import type { Logger } from '../../process/log';
import { VCLUSTER_SELECTOR } from '../identity';
import { summarize, type DiscoveryResult, type HostDiscovery, type VClusterSummary } from './discoverVClusters';
import type { VClusterWorkload } from './status';

/**
 * The vClusters of one host context, kept live: a list-then-watch (src/kube/watch.ts) of the
 * StatefulSets, Deployments and pods labelled app=vcluster, summarized with the same pure
 * summarize() as a one-shot discovery, so both give the CLI's statuses. Status needs no Secret:
 * Paused is the workload's annotation, the rest its pods' state (as the CLI derives them).
 * When listing all namespaces is forbidden it watches the context's namespace instead, as the
 * one-shot discovery and the CLI do. Failures are retried by watchList with a bounded back-off;
 * the host reads as an error meanwhile and recovers by itself.
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

interface Run {
  controller: AbortController;
  scope: Scope;
  collections: WatchedResource[];
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
    const prefix = scope.allNamespaces ? '' : `/namespaces/${encodeURIComponent(scope.namespace)}`;
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
    };
    this.run = run;
    const { client, requestTimeoutMs, initialBackoffMs, maxBackoffMs } = this.options;
    for (const watched of run.collections) {
      void watchList(client, watched.path, {
        query: { labelSelector: VCLUSTER_SELECTOR },
        requestTimeoutMs,
        ...(initialBackoffMs === undefined ? {} : { initialBackoffMs }),
        ...(maxBackoffMs === undefined ? {} : { maxBackoffMs }),
      }, watched.handlers(() => this.run === run, () => this.schedule(run), (error, retryInMs) => this.failed(run, watched, error, retryInMs)), run.controller.signal);
    }
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
    // One warning when the host starts failing (an unreachable host fails all three at once).
    const alreadyFailing = run.collections.some((other) => other.failures > 0);
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
    if (!run.collections.every((watched) => watched.listed)) return this.current.state === 'ok' ? this.current : { state: 'loading' };
    const [statefulSets, deployments, pods] = run.collections.map((watched) => [...watched.objects.values()]) as [RawObject[], RawObject[], RawObject[]];
    const vclusters: VClusterSummary[] = summarize(this.options.hostContext, [
      ...statefulSets.map((workload) => ({ workload: workload as VClusterWorkload, kind: 'StatefulSet' as const })),
      ...deployments.map((workload) => ({ workload: workload as VClusterWorkload, kind: 'Deployment' as const })),
    ], inListOrder(pods) as V1Pod[]);
    return { state: 'ok', result: { vclusters, scope: run.scope } };
  }
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
