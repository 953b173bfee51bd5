import { EventEmitter } from 'node:events';
import { describeKubeError, type KubeErrorDescription } from '../../kube/errors';
import type { ContextSummary, KubeconfigLoad } from '../../kube/kubeconfig';
import type { Logger } from '../../process/log';
import type { CoreBundle } from '../../coreBundle';
import type { DiscoveryResult, VClusterSummary } from './discoverVClusters';
import { vclusterKey, type VClusterRef } from '../identity';

/**
 * The extension's picture of the user's clusters: the merged kubeconfig and, per host context,
 * the vClusters found there. It knows nothing of VS Code; the tree listens to its events.
 */

export type HostDiscovery =
  | { state: 'loading' }
  | { state: 'ok'; result: DiscoveryResult }
  | { state: 'error'; error: KubeErrorDescription };

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
}

export class ClusterInventory {
  private readonly events = new EventEmitter();
  private current: InventorySnapshot = { kubeconfig: { state: 'loading' }, hosts: [] };
  private generation = 0;
  private inFlight: AbortController | undefined;
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

  /** Fires with the changed host's context name, or undefined when everything may have changed. */
  /** Every vCluster known now, across all hosts that answered. */
  knownVClusters(): VClusterSummary[] {
    return this.current.hosts.flatMap((host) => (host.discovery.state === 'ok' ? host.discovery.result.vclusters : []));
  }

  findVCluster(ref: VClusterRef): VClusterSummary | undefined {
    const key = vclusterKey(ref);
    return this.knownVClusters().find((vcluster) => vclusterKey(vcluster) === key);
  }

  onDidChange(listener: (contextName: string | undefined) => void): { dispose(): void } {
    this.events.on('change', listener);
    return { dispose: () => this.events.off('change', listener) };
  }

  /**
   * Reloads the kubeconfig and rediscovers every context in parallel. Resolves when every host
   * has answered or timed out; a newer refresh supersedes an older one.
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
      this.emit(undefined);
      return this.current;
    }
    // A host asked again keeps its last answer until the new one comes: rediscovering (after
    // every lifecycle step, every 2 s) must not empty the tree's host or the pickers meanwhile.
    const previous = new Map(this.current.hosts.map((host) => [host.context.name, host]));
    this.current = {
      kubeconfig,
      hosts: kubeconfig.contexts.map((context): HostState => {
        const isCurrent = context.name === kubeconfig.currentContext;
        if (context.problem) return { context, isCurrent, discovery: { state: 'error', error: { kind: 'other', message: context.problem } } };
        const before = previous.get(context.name);
        if (before && before.discovery.state !== 'loading' && sameTarget(before.context, context)) return { context, isCurrent, discovery: before.discovery, refreshing: true };
        return { context, isCurrent, discovery: { state: 'loading' } };
      }),
    };
    this.emit(undefined);

    const timeoutMs = this.options.requestTimeoutMs();
    await Promise.all(this.current.hosts.map(async (host) => {
      if (host.discovery.state !== 'loading' && !host.refreshing) return;
      const discovery = await this.discoverHost(kubeconfig, host.context, timeoutMs, controller.signal);
      if (generation !== this.generation) return;
      this.current = {
        ...this.current,
        hosts: this.current.hosts.map((entry) => (entry.context.name === host.context.name ? { context: entry.context, isCurrent: entry.isCurrent, discovery } : entry)),
      };
      this.emit(host.context.name);
    }));
    if (this.inFlight === controller) this.inFlight = undefined;
    return this.current;
  }

  dispose(): void {
    this.inFlight?.abort();
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
