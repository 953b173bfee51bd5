import { EventEmitter } from 'node:events';
import { describeKubeError } from '../../kube/errors';
import type { ContextSummary, KubeconfigLoad } from '../../kube/kubeconfig';
import type { Logger } from '../../process/log';
import type { CoreBundle } from '../../coreBundle';
import type { DiscoveryResult, HostDiscovery, VClusterSummary } from './discoverVClusters';
import type { HostWatch, HostWatchOptions } from './hostWatch';
import { vclusterKey, type VClusterRef } from '../identity';

/**
 * The extension's picture of the user's clusters: the merged kubeconfig and, per host context,
 * the vClusters found there. It knows nothing of VS Code; the tree and the pickers listen to its
 * events. While someone looks (the view is visible: setWatching, or a command follows a vCluster:
 * awaitVCluster), each host is watched (HostWatch: one list, then watch events) and changes made
 * anywhere, a terminal's `vcluster pause` included, arrive by themselves; otherwise refresh()
 * asks each host once.
 */

export interface HostState {
  context: ContextSummary;
  isCurrent: boolean;
  /** While `refreshing`, the previous answer: it stands until the new one comes. */
  discovery: HostDiscovery;
  /** A rediscovery of this host is under way (its previous answer is still shown). */
  refreshing?: true;
}

export interface InventorySnapshot {
  kubeconfig: KubeconfigLoad | { state: 'loading' };
  hosts: HostState[];
}

/** Finds the vClusters of one host context; the default talks to its API server. */
export type Discover = (kubeconfig: Extract<KubeconfigLoad, { state: 'ok' }>, context: ContextSummary, signal: AbortSignal) => Promise<DiscoveryResult>;

export interface InventoryOptions {
  kubeconfigPaths: () => string[];
  requestTimeoutMs: () => number;
  logger: Logger;
  /** Loads the kubeconfig parser and the Kubernetes client on first use (see coreBundle.ts). */
  loadCoreBundle: () => Promise<CoreBundle>;
  /** Replaces API-server discovery; by default the core's discoverVClusters is used. */
  discover?: Discover;
  /** Tunes the host watches (tests shorten the retry delays). */
  watch?: Pick<HostWatchOptions, 'coalesceMs' | 'initialBackoffMs' | 'maxBackoffMs'>;
}

/** A host's live watch, for one target (server, cluster, user, namespace) of its context. */
interface WatchedHost {
  target: ContextSummary;
  /** Set once the core bundle is loaded (a moment after the entry is made). */
  watch?: HostWatch;
  disposed: boolean;
  dispose(): void;
}

export class ClusterInventory {
  private readonly events = new EventEmitter();
  private current: InventorySnapshot = { kubeconfig: { state: 'loading' }, hosts: [] };
  private generation = 0;
  private inFlight: AbortController | undefined;
  /** The view is visible: every host is watched. */
  private watching = false;
  /** Commands following a vCluster, by host context: that host is watched even when the view is hidden. */
  private readonly holds = new Map<string, number>();
  private readonly watches = new Map<string, WatchedHost>();
  constructor(private readonly options: InventoryOptions) {}

  private discover: Discover = async (kubeconfig, context, signal) => {
    if (this.options.discover) return this.options.discover(kubeconfig, context, signal);
    const { KubeClient, kubeConfigForContext, discoverVClusters } = await this.options.loadCoreBundle();
    return discoverVClusters({
      client: new KubeClient(kubeConfigForContext(kubeconfig.document, context.name)),
      hostContext: context.name,
      contextNamespace: context.namespace,
      signal,
    });
  };

  get snapshot(): InventorySnapshot {
    return this.current;
  }

  /** Every vCluster known now, across all hosts that answered. */
  knownVClusters(): VClusterSummary[] {
    return this.current.hosts.flatMap((host) => (host.discovery.state === 'ok' ? host.discovery.result.vclusters : []));
  }

  findVCluster(ref: VClusterRef): VClusterSummary | undefined {
    const key = vclusterKey(ref);
    return this.knownVClusters().find((vcluster) => vclusterKey(vcluster) === key);
  }

  /** Fires with the changed host's context name, or undefined when everything may have changed. */
  onDidChange(listener: (contextName: string | undefined) => void): { dispose(): void } {
    this.events.on('change', listener);
    return { dispose: () => this.events.off('change', listener) };
  }

  /** Whether hosts are watched now because the view is visible. */
  get isWatching(): boolean {
    return this.watching;
  }

  /**
   * The view became visible (watch every host: one list each, then events) or hidden (stop the
   * watches; the last answers stay, and refresh() asks once when a picker needs it).
   */
  setWatching(watching: boolean): void {
    if (watching === this.watching) return;
    this.watching = watching;
    this.options.logger.trace(`[discovery] ${watching ? 'watching hosts (the view is visible)' : 'watches stopped (the view is hidden)'}`);
    if (watching && this.current.kubeconfig.state === 'loading') return; // the first refresh starts them
    this.syncWatches();
  }

  /**
   * Waits until `settled` holds for the vCluster (undefined: it is gone), watching its host
   * meanwhile even when the view is hidden; resolves with whether it settled within `timeoutMs`.
   * What lifecycle commands wait on after an action, instead of rediscovering in a loop.
   */
  async awaitVCluster(ref: VClusterRef, settled: (vcluster: VClusterSummary | undefined) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const hold = this.hold(ref.hostContext);
    try {
      if (this.current.kubeconfig.state === 'loading') await this.refresh();
      return await this.waitUntil(() => {
        const host = this.current.hosts.find((entry) => entry.context.name === ref.hostContext);
        // Only a live answer counts: a loading or failing host says nothing about the vCluster.
        return host?.discovery.state === 'ok' && settled(this.findVCluster(ref));
      }, timeoutMs, signal);
    } finally {
      hold.dispose();
    }
  }

  /** Resolves true once `condition` holds (checked now and on every change), false after `timeoutMs` or on abort. */
  private waitUntil(condition: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (holds: boolean) => {
        subscription.dispose();
        clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
        resolve(holds);
      };
      const aborted = () => done(false);
      const subscription = this.onDidChange(() => {
        if (condition()) done(true);
      });
      const timer = setTimeout(() => done(false), timeoutMs);
      signal?.addEventListener('abort', aborted, { once: true });
    });
  }

  /** Keeps the host's watch running while the handle lives. */
  private hold(hostContext: string): { dispose(): void } {
    this.holds.set(hostContext, (this.holds.get(hostContext) ?? 0) + 1);
    this.syncWatches();
    let released = false;
    return {
      dispose: () => {
        if (released) return;
        released = true;
        const count = (this.holds.get(hostContext) ?? 1) - 1;
        if (count > 0) this.holds.set(hostContext, count);
        else this.holds.delete(hostContext);
        this.syncWatches();
      },
    };
  }

  private shouldWatch(hostContext: string): boolean {
    return this.watching || (this.holds.get(hostContext) ?? 0) > 0;
  }

  /**
   * Starts the watches of hosts that should be watched and have none (or one for another target),
   * and ends those of hosts nobody looks at, or that left the kubeconfig.
   */
  private syncWatches(): void {
    const kubeconfig = this.current.kubeconfig;
    const hosts = kubeconfig.state === 'ok' ? this.current.hosts : [];
    const wanted = new Map(hosts.filter((host) => !host.context.problem && this.shouldWatch(host.context.name)).map((host) => [host.context.name, host.context]));
    for (const [name, entry] of [...this.watches]) {
      const target = wanted.get(name);
      if (!target || !sameTarget(entry.target, target)) {
        entry.dispose();
        this.watches.delete(name);
      }
    }
    if (kubeconfig.state !== 'ok') return;
    for (const context of wanted.values()) if (!this.watches.has(context.name)) this.startWatch(kubeconfig, context);
  }

  private startWatch(kubeconfig: Extract<KubeconfigLoad, { state: 'ok' }>, context: ContextSummary): WatchedHost {
    const entry: WatchedHost = {
      target: context,
      disposed: false,
      dispose: () => {
        entry.disposed = true;
        entry.watch?.dispose();
      },
    };
    this.watches.set(context.name, entry);
    void (async () => {
      try {
        const { KubeClient, kubeConfigForContext, HostWatch } = await this.options.loadCoreBundle();
        if (entry.disposed) return;
        const watch = new HostWatch({
          client: new KubeClient(kubeConfigForContext(kubeconfig.document, context.name)),
          hostContext: context.name,
          contextNamespace: context.namespace,
          logger: this.options.logger,
          requestTimeoutMs: this.options.requestTimeoutMs(),
          ...this.options.watch,
        });
        entry.watch = watch;
        watch.onDidChange((state) => this.watchChanged(entry, context.name, state));
        watch.start();
      } catch (error) {
        // The context cannot make a client (an auth-provider kubectl dropped, say): its error.
        if (!entry.disposed) this.watchChanged(entry, context.name, { state: 'error', error: describeKubeError(error) });
      }
    })();
    return entry;
  }

  private watchChanged(entry: WatchedHost, hostContext: string, state: HostDiscovery): void {
    if (entry.disposed || this.watches.get(hostContext) !== entry) return;
    const host = this.current.hosts.find((candidate) => candidate.context.name === hostContext);
    if (!host) return;
    if (state.state === 'ok') {
      const scope = state.result.scope;
      const before = host.discovery.state === 'ok' ? host.discovery.result.vclusters.length : undefined;
      if (before !== state.result.vclusters.length) this.options.logger.info(`[discovery] ${hostContext}: ${state.result.vclusters.length} vCluster(s)${scope.allNamespaces ? '' : ` in namespace ${scope.namespace} only`} (watching)`);
    }
    // A watch (re)starting keeps the host's last answer until its first list: no flicker.
    const discovery: HostDiscovery = state.state === 'loading' && host.discovery.state !== 'loading' ? host.discovery : state;
    this.current = {
      ...this.current,
      hosts: this.current.hosts.map((candidate) => (candidate === host ? { context: host.context, isCurrent: host.isCurrent, discovery, ...(state.state === 'loading' && discovery !== state ? { refreshing: true as const } : {}) } : candidate)),
    };
    this.emit(hostContext);
  }

  /**
   * Reloads the kubeconfig and rediscovers every context in parallel. Resolves when every host
   * has answered or timed out; a newer refresh supersedes an older one. A watched host is not
   * asked again: its watch answers (one that is failing starts over at once).
   */
  async refresh(): Promise<InventorySnapshot> {
    const generation = ++this.generation;
    this.inFlight?.abort();
    const controller = new AbortController();
    this.inFlight = controller;

    const paths = this.options.kubeconfigPaths();
    const { loadKubeconfig } = await this.options.loadCoreBundle();
    const kubeconfig = await loadKubeconfig(paths);
    if (generation !== this.generation) return this.current;
    this.logKubeconfig(kubeconfig, paths);

    if (kubeconfig.state !== 'ok') {
      this.current = { kubeconfig, hosts: [] };
      this.syncWatches();
      this.emit(undefined);
      return this.current;
    }
    // A host asked again keeps its last answer until the new one comes: a refresh must not empty
    // the tree's host or the pickers meanwhile.
    const previous = new Map(this.current.hosts.map((host) => [host.context.name, host]));
    // A failing watch starts over now: the user asked.
    for (const [name, entry] of [...this.watches]) {
      if (entry.watch?.state.state === 'error') {
        entry.dispose();
        this.watches.delete(name);
      }
    }
    this.current = {
      kubeconfig,
      hosts: kubeconfig.contexts.map((context): HostState => {
        const isCurrent = context.name === kubeconfig.currentContext;
        if (context.problem) return { context, isCurrent, discovery: { state: 'error', error: { kind: 'other', message: context.problem } } };
        const before = previous.get(context.name);
        const watched = this.watches.get(context.name);
        const live = watched && sameTarget(watched.target, context) ? watched.watch?.state : undefined;
        if (live && live.state !== 'loading') return { context, isCurrent, discovery: live };
        if (before && before.discovery.state !== 'loading' && sameTarget(before.context, context)) return { context, isCurrent, discovery: before.discovery, refreshing: true };
        return { context, isCurrent, discovery: { state: 'loading' } };
      }),
    };
    this.syncWatches();
    this.emit(undefined);

    const timeoutMs = this.options.requestTimeoutMs();
    await Promise.all(this.current.hosts.map(async (host) => {
      if (host.discovery.state !== 'loading' && !host.refreshing) return;
      if (this.watches.has(host.context.name)) {
        await this.untilWatchAnswers(host.context.name, timeoutMs, controller.signal);
        return;
      }
      const discovery = await this.discoverHost(kubeconfig, host.context, timeoutMs, controller.signal);
      // The view opened meanwhile: the host's watch answers now, and more recently than this.
      if (generation !== this.generation || this.watches.has(host.context.name)) return;
      this.current = {
        ...this.current,
        hosts: this.current.hosts.map((entry) => (entry.context.name === host.context.name ? { context: entry.context, isCurrent: entry.isCurrent, discovery } : entry)),
      };
      this.emit(host.context.name);
    }));
    if (this.inFlight === controller) this.inFlight = undefined;
    return this.current;
  }

  /** Resolves when the host's watch has answered (listed or failed), at most `timeoutMs` later. */
  private async untilWatchAnswers(hostContext: string, timeoutMs: number, cancel: AbortSignal): Promise<void> {
    // A list that times out is reported by the watch as an error; this only bounds the wait.
    await this.waitUntil(() => {
      const host = this.current.hosts.find((entry) => entry.context.name === hostContext);
      return !host || (host.discovery.state !== 'loading' && !host.refreshing);
    }, timeoutMs + 1000, cancel);
  }

  dispose(): void {
    this.inFlight?.abort();
    for (const entry of this.watches.values()) entry.dispose();
    this.watches.clear();
    this.events.removeAllListeners();
  }

  private async discoverHost(
    kubeconfig: Extract<KubeconfigLoad, { state: 'ok' }>,
    context: ContextSummary,
    timeoutMs: number,
    cancelAll: AbortSignal,
  ): Promise<HostDiscovery> {
    const signal = AbortSignal.any([cancelAll, AbortSignal.timeout(timeoutMs)]);
    const started = Date.now();
    try {
      const result = await this.discover(kubeconfig, context, signal);
      this.options.logger.info(`[discovery] ${context.name}: ${result.vclusters.length} vCluster(s)${result.scope.allNamespaces ? '' : ` in namespace ${result.scope.namespace} only (listing all namespaces is forbidden)`} in ${Date.now() - started} ms`);
      return { state: 'ok', result };
    } catch (error) {
      if (cancelAll.aborted) {
        // A newer refresh took over; its result replaces this one, so this is no host failure.
        this.options.logger.trace(`[discovery] ${context.name}: superseded by a newer refresh`);
        return { state: 'loading' };
      }
      const described = describeKubeError(error, Math.round(timeoutMs / 1000));
      this.options.logger.warn(`[discovery] ${context.name}: ${described.message}`);
      return { state: 'error', error: described };
    }
  }

  private logKubeconfig(kubeconfig: KubeconfigLoad, paths: readonly string[]): void {
    const logger = this.options.logger;
    switch (kubeconfig.state) {
      case 'missing':
        logger.info(`[kubeconfig] none found (looked for: ${paths.join(', ')})`);
        break;
      case 'invalid':
        logger.error(`[kubeconfig] ${kubeconfig.problem}`);
        break;
      case 'noContexts':
        logger.info(`[kubeconfig] ${kubeconfig.files.filter((file) => file.exists).map((file) => file.path).join(', ')}: no contexts`);
        break;
      case 'ok':
        logger.info(`[kubeconfig] ${kubeconfig.contexts.length} context(s) from ${kubeconfig.files.filter((file) => file.exists).map((file) => file.path).join(', ')}; current: ${kubeconfig.currentContext ?? '(none)'}`);
        break;
    }
  }

  private emit(contextName: string | undefined): void {
    this.events.emit('change', contextName);
  }
}

/** Whether the inventory may still change without being asked: the kubeconfig or a host is being read. */
export function isDiscovering(snapshot: InventorySnapshot): boolean {
  return snapshot.kubeconfig.state === 'loading' || snapshot.hosts.some((host) => host.discovery.state === 'loading' || host.refreshing === true);
}

/** The same cluster as the same user: an earlier answer about it still holds. */
function sameTarget(a: ContextSummary, b: ContextSummary): boolean {
  return a.server === b.server && a.cluster === b.cluster && a.user === b.user && a.namespace === b.namespace;
}

/** The tree is empty (and the welcome view shows) only when there is truly nothing to act on. */
export function hasNothingToShow(snapshot: InventorySnapshot): boolean {
  if (snapshot.kubeconfig.state !== 'ok') return true;
  return snapshot.hosts.every((host) => host.discovery.state === 'ok' && host.discovery.result.vclusters.length === 0);
}
