import type { KubeClient } from '../../kube/client';
import { describeKubeError, isKubeApiError } from '../../kube/errors';
import { watchList, type RawObject } from '../../kube/watch';
import { WatchedCollection } from '../../kube/watchedCollection';
import type { Logger } from '../../process/log';
import { lean } from './leanObject';
import { buildMapping, clusterMarkerLabel, SYNCABLE_KINDS, syncSettings, VIRTUAL_ONLY_WORKLOAD_KINDS, type KubeObject, type MappingPair, type SyncSettings } from './mapping';
import { configSecretName, MANAGED_BY_LABEL } from '../identity';
import { decodeConfigSecret } from '../vclusterConfig';
import { eventsByPair, leanEvent, withEvents, type ObjectEvent, type PairEventSummary } from './pairEvents';

/**
 * The live data of the syncer-mapping tree for one vCluster: lists and watches the host objects
 * of the kinds it syncs (and, when connected, the virtual cluster's), keeps them lean, and
 * recomputes buildMapping on coalesced bursts of events, telling listeners which pairs changed.
 * Watches run between start() and stop(); the view calls stop() when hidden.
 */

export interface MappingSourceOptions {
  vclusterName: string;
  hostNamespace: string;
  hostClient: KubeClient;
  /** When the virtual cluster is reachable (connected); undefined: host markers only. */
  virtualClient?: KubeClient;
  logger: Logger;
  /** Bursts of watch events within this many ms become one change (default 100). */
  coalesceMs?: number;
}

export type MappingSourceState =
  | { state: 'loading' }
  | { state: 'ready'; virtualReachable: boolean; virtualProblem?: string }
  | { state: 'error'; message: string };


/** Bound on reading the vCluster's config and on each list page. */
const REQUEST_TIMEOUT_MS = 10_000;

/** One watched kind on one side: where it is listed, and what its watch holds (lean objects). */
class WatchedKind extends WatchedCollection<KubeObject> {
  /** Ends this watch alone (a kind the server does not serve, or hides from us). */
  readonly controller = new AbortController();
  /**
   * Virtual pods need the spec fields buildMapping reads; everything else only metadata — and
   * Secrets never more, even from a server that refuses metadata-only reads (their data is not ours to hold).
   */
  readonly metadataOnly: boolean | 'required';
  constructor(
    readonly side: 'host' | 'virtual',
    readonly kind: string,
    readonly path: string,
    readonly query: Record<string, string | undefined>,
    readonly clusterScoped: boolean,
  ) {
    super((raw) => lean(raw, { kind, side }), objectKey);
    this.metadataOnly = kind === 'Secret' ? 'required' : !(side === 'virtual' && kind === 'Pod');
  }
}

/**
 * The events of one side: the host's in the vCluster's namespace, the virtual cluster's in all of
 * its namespaces. They add to the pairs (warnings, sync errors) but never hold the mapping back:
 * a side whose events cannot be listed (RBAC) just has none, with a note.
 */
class WatchedEvents extends WatchedCollection<ObjectEvent & { key: string }> {
  readonly controller = new AbortController();
  /** Why this side's events are not shown, once it is known they cannot be. */
  unavailable: string | undefined;
  constructor(readonly side: 'host' | 'virtual', readonly path: string) {
    super((raw) => ({ ...leanEvent(raw, side), key: eventKey(raw) }), (event) => event.key);
  }
}

interface Run {
  controller: AbortController;
  watches: WatchedKind[];
  events: WatchedEvents[];
}

export class MappingSource {
  private readonly options: MappingSourceOptions;
  private readonly coalesceMs: number;
  private readonly listeners = new Set<(changedIds: ReadonlySet<string> | undefined) => void>();
  private run: Run | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private currentStatus: MappingSourceState = { state: 'loading' };
  private currentPairs: readonly MappingPair[] = [];
  private currentEvents = new Map<string, PairEventSummary>();
  private currentEventNotes: string[] = [];
  /** What this vCluster syncs, read at each start(). */
  private sync: SyncSettings = syncSettings(undefined);

  constructor(options: MappingSourceOptions) {
    this.options = options;
    this.coalesceMs = Math.max(0, options.coalesceMs ?? 100);
  }

  /** Whether watches run (between start() and stop()). */
  get running(): boolean {
    return this.run !== undefined;
  }

  get status(): MappingSourceState {
    return this.currentStatus;
  }

  /** The latest buildMapping result (the last known pairs while a restart is loading). */
  get pairs(): readonly MappingPair[] {
    return this.currentPairs;
  }

  /** What this vCluster syncs (its config's sync.toHost, read at start()). */
  get syncConfig(): SyncSettings {
    return this.sync;
  }

  /** The events of one pair, both sides, newest first (empty when it has none). */
  eventsFor(pairId: string): readonly ObjectEvent[] {
    return this.currentEvents.get(pairId)?.events ?? [];
  }

  /** Why a side's events are missing (forbidden, the virtual cluster not connected). */
  eventNotes(): readonly string[] {
    return this.currentEventNotes;
  }

  onDidChange(listener: (changedIds: ReadonlySet<string> | undefined) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** Lists and watches; does nothing when already started (or disposed). */
  start(): void {
    if (this.run || this.disposed) return;
    const run: Run = { controller: new AbortController(), watches: [], events: [] };
    this.run = run;
    if (this.currentStatus.state !== 'loading') {
      this.currentStatus = { state: 'loading' };
      this.emit(undefined);
    }
    void this.begin(run);
  }

  /** Ends every watch and pending change; start() resumes from fresh lists. */
  stop(): void {
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    run.controller.abort();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.options.logger.trace(`mapping of ${this.label}: watches stopped`);
  }

  dispose(): void {
    this.stop();
    this.disposed = true;
    this.listeners.clear();
  }

  private get label(): string {
    return `${this.options.hostNamespace}/${this.options.vclusterName}`;
  }

  private async begin(run: Run): Promise<void> {
    const { hostClient, virtualClient, hostNamespace, vclusterName, logger } = this.options;
    const sync = await this.readSyncSettings(run.controller.signal);
    if (this.run !== run) return;
    this.sync = sync;
    const synced = SYNCABLE_KINDS.filter((entry) => sync.enabled.has(entry.kind));
    const clusterSelector = `${MANAGED_BY_LABEL}=${clusterMarkerLabel(hostNamespace, vclusterName)}`;
    const watch = (side: WatchedKind['side'], kind: string, path: string, query: WatchedKind['query'], clusterScoped: boolean) => new WatchedKind(side, kind, path, query, clusterScoped);
    for (const entry of synced) {
      // Host: the whole namespace (the vCluster's own objects too); cluster-scoped kinds only
      // where the syncer's marker for this vCluster is.
      run.watches.push(entry.namespaced
        ? watch('host', entry.kind, `${entry.apiPath}/namespaces/${encodeURIComponent(hostNamespace)}/${entry.resource}`, {}, false)
        : watch('host', entry.kind, `${entry.apiPath}/${entry.resource}`, { labelSelector: clusterSelector }, true));
    }
    if (virtualClient) {
      for (const entry of synced) run.watches.push(watch('virtual', entry.kind, `${entry.apiPath}/${entry.resource}`, {}, !entry.namespaced));
      for (const entry of VIRTUAL_ONLY_WORKLOAD_KINDS) run.watches.push(watch('virtual', entry.kind, `${entry.apiPath}/${entry.resource}`, {}, false));
    }
    run.events.push(new WatchedEvents('host', `/api/v1/namespaces/${encodeURIComponent(hostNamespace)}/events`));
    if (virtualClient) run.events.push(new WatchedEvents('virtual', '/api/v1/events'));
    for (const events of run.events) {
      const client = events.side === 'host' ? hostClient : virtualClient!;
      void watchList(client, events.path, { requestTimeoutMs: REQUEST_TIMEOUT_MS }, events.handlers(() => this.run === run, () => this.schedule(run), (error, retryInMs) => this.eventsFailed(run, events, error, retryInMs)), AbortSignal.any([run.controller.signal, events.controller.signal]));
    }
    logger.info(`mapping of ${this.label}: watching ${synced.map((entry) => entry.kind).join(', ')} on the host${virtualClient ? ' and in the virtual cluster' : ' (virtual cluster not connected: host markers only)'}`);
    for (const watched of run.watches) {
      const client = watched.side === 'host' ? hostClient : virtualClient!;
      void watchList(client, watched.path, { query: watched.query, metadataOnly: watched.metadataOnly, requestTimeoutMs: REQUEST_TIMEOUT_MS }, watched.handlers(() => this.run === run, () => this.schedule(run), (error, retryInMs) => this.watchFailed(run, watched, error, retryInMs)), AbortSignal.any([run.controller.signal, watched.controller.signal]));
    }
  }

  private watchFailed(run: Run, watched: WatchedKind, error: unknown, retryInMs: number): void {
    const { logger } = this.options;
    if (isUnavailable(watched, error)) {
      // Not served here (404), or a cluster-scoped kind we may not list (403): shown as
      // having none rather than failing the whole mapping.
      logger.info(`mapping of ${this.label}: ${watched.kind} cannot be listed in the ${watched.side === 'host' ? 'host' : 'virtual cluster'} (${describeKubeError(error).message}); shown as none`);
      watched.controller.abort();
      watched.markUnavailable();
      this.schedule(run);
      return;
    }
    // One warning per side when it starts failing (an unreachable cluster fails every
    // kind at once); the rest go to trace.
    const sideAlreadyFailing = run.watches.some((other) => other !== watched && other.side === watched.side && other.failures > 0);
    watched.countFailure(error);
    const where = watched.side === 'host' ? 'host' : 'virtual cluster';
    const message = `mapping of ${this.label}: ${watched.kind} in the ${where}: ${describeKubeError(error, REQUEST_TIMEOUT_MS / 1000).message}; retrying in ${retryInMs} ms`;
    if (watched.failures === 1 && !sideAlreadyFailing) logger.warn(message);
    else logger.trace(message);
    this.schedule(run);
  }

  private eventsFailed(run: Run, events: WatchedEvents, error: unknown, retryInMs: number): void {
    const where = events.side === 'host' ? `on the host (namespace ${this.options.hostNamespace})` : 'in the virtual cluster';
    if (isKubeApiError(error) && (error.status === 403 || error.status === 404)) {
      // RBAC may hide events from a user who can see the objects: the rest of the mapping stays.
      events.unavailable = `Events ${where} cannot be read: ${describeKubeError(error).message}`;
      this.options.logger.info(`mapping of ${this.label}: ${events.unavailable}; shown without them`);
      events.controller.abort();
      events.markUnavailable();
      this.schedule(run);
      return;
    }
    events.countFailure(error);
    const message = `mapping of ${this.label}: events ${where}: ${describeKubeError(error, REQUEST_TIMEOUT_MS / 1000).message}; retrying in ${retryInMs} ms`;
    if (events.failures === 1) this.options.logger.warn(message);
    else this.options.logger.trace(message);
  }

  /** The vCluster's effective config (Secret vc-config-NAME, key config.yaml); chart defaults when unreadable. */
  private async readSyncSettings(signal: AbortSignal): Promise<SyncSettings> {
    const { hostClient, hostNamespace, vclusterName, logger } = this.options;
    const secretName = configSecretName(vclusterName);
    const path = `/api/v1/namespaces/${encodeURIComponent(hostNamespace)}/secrets/${encodeURIComponent(secretName)}`;
    try {
      const decoded = decodeConfigSecret(await hostClient.getJson<{ data?: Record<string, string> }>(path, {}, AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)])));
      if (decoded.state === 'noConfigKey') {
        logger.info(`mapping of ${this.label}: Secret ${secretName} has no config.yaml; using the chart's defaults for what syncs`);
        return syncSettings(undefined);
      }
      if (decoded.state === 'damaged') {
        logger.warn(`mapping of ${this.label}: Secret ${secretName}'s config.yaml is ${decoded.problem}; using the chart's defaults for what syncs`);
        return syncSettings(undefined);
      }
      return syncSettings(decoded.config);
    } catch (error) {
      if (!signal.aborted) {
        const reason = isKubeApiError(error) || error instanceof Error ? describeKubeError(error, REQUEST_TIMEOUT_MS / 1000).message : String(error);
        logger.warn(`mapping of ${this.label}: could not read Secret ${secretName} (${reason}); using the chart's defaults for what syncs`);
      }
      return syncSettings(undefined);
    }
  }

  /** Coalesces a burst: the first event of a quiet period schedules one recompute. */
  private schedule(run: Run): void {
    if (this.flushTimer || this.run !== run) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      if (this.run === run) this.recompute(run);
    }, this.coalesceMs);
  }

  private recompute(run: Run): void {
    const host = run.watches.filter((watched) => watched.side === 'host');
    const virtual = run.watches.filter((watched) => watched.side === 'virtual');
    const down = (watched: WatchedKind) => watched.isDown;
    const hostDown = host.find(down);
    let status: MappingSourceState;
    if (hostDown) {
      status = { state: 'error', message: `host cluster: ${problem(hostDown, `in namespace ${this.options.hostNamespace}`)}` };
    } else if (!host.every((watched) => watched.listed)) {
      status = { state: 'loading' };
    } else if (!this.options.virtualClient) {
      status = { state: 'ready', virtualReachable: false };
    } else {
      const virtualDown = virtual.find(down);
      if (virtualDown) {
        status = { state: 'ready', virtualReachable: false, virtualProblem: problem(virtualDown, 'in the virtual cluster') };
      } else if (!virtual.every((watched) => watched.listed)) {
        status = { state: 'loading' };
      } else {
        status = { state: 'ready', virtualReachable: true };
      }
    }

    const statusChanged = JSON.stringify(status) !== JSON.stringify(this.currentStatus);
    this.currentStatus = status;
    if (status.state !== 'ready') {
      // Keep the last known pairs: an error or a reload does not mean the objects are gone.
      if (statusChanged) this.emit(undefined);
      return;
    }
    const objects = (watches: WatchedKind[]) => watches.flatMap((watched) => [...watched.objects.values()]);
    const built = buildMapping({
      vclusterName: this.options.vclusterName,
      hostNamespace: this.options.hostNamespace,
      hostObjects: objects(host),
      ...(status.virtualReachable ? { virtualObjects: objects(virtual) } : {}),
      sync: this.sync,
    });
    const eventsOf = (side: WatchedEvents['side']) => run.events.find((events) => events.side === side)?.objects.values() ?? [];
    this.currentEvents = eventsByPair(built, status.virtualReachable ? eventsOf('virtual') : [], eventsOf('host'));
    this.currentEventNotes = [
      ...run.events.map((events) => events.unavailable ?? (events.isDown ? `Events ${events.side === 'host' ? 'on the host' : 'in the virtual cluster'} cannot be read now: ${describeKubeError(events.lastError, REQUEST_TIMEOUT_MS / 1000).message}` : undefined)),
      status.virtualReachable ? undefined : 'Events in the virtual cluster are shown once it is connected.',
    ].filter((note): note is string => note !== undefined);
    const pairs = withEvents(built, this.currentEvents);
    const changed = diffPairs(this.currentPairs, pairs);
    this.currentPairs = pairs;
    if (statusChanged) this.emit(undefined);
    else if (changed.size > 0) this.emit(changed);
  }

  private emit(changedIds: ReadonlySet<string> | undefined): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(changedIds);
      } catch (error) {
        this.options.logger.error(`mapping of ${this.label}: a change listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/**
 * Ids of pairs added, removed, or whose status, kind or either side differ, an edit to either
 * object included (its resourceVersion): the inspector reads a selected pair's detail again then.
 */
export function diffPairs(before: readonly MappingPair[], after: readonly MappingPair[]): Set<string> {
  const previous = new Map(before.map((pair) => [pair.id, pair]));
  const changed = new Set<string>();
  for (const pair of after) {
    const old = previous.get(pair.id);
    previous.delete(pair.id);
    if (!old || old.status !== pair.status || old.kind !== pair.kind || !sameSide(old.virtual, pair.virtual) || !sameSide(old.host, pair.host) || !sameEvents(old, pair)) changed.add(pair.id);
  }
  for (const id of previous.keys()) changed.add(id);
  return changed;
}

/** A new event on a pair (or one more of the same) changes it: the badge and a shown detail follow. */
function sameEvents(a: MappingPair, b: MappingPair): boolean {
  return a.problem === b.problem && a.events?.total === b.events?.total && a.events?.warnings === b.events?.warnings && a.events?.newest === b.events?.newest && a.events?.newestWarning === b.events?.newestWarning;
}

function sameSide(a: MappingPair['virtual'], b: MappingPair['virtual']): boolean {
  if (!a || !b) return a === b;
  return a.name === b.name && a.namespace === b.namespace && a.uid === b.uid && a.created === b.created && a.resourceVersion === b.resourceVersion;
}

/** One line for the failure of a watch; the kind is named only when the failure is about it. */
function problem(watched: WatchedKind, where: string): string {
  const description = describeKubeError(watched.lastError, REQUEST_TIMEOUT_MS / 1000);
  return description.kind === 'forbidden' || description.kind === 'notFound' ? `${description.message} (listing ${watched.kind} ${where})` : description.message;
}

function isUnavailable(watched: WatchedKind, error: unknown): boolean {
  if (!isKubeApiError(error)) return false;
  // A core path (/api/v1) is always served: a 404 there is a real failure, not a missing kind.
  return (error.status === 404 && watched.path.startsWith('/apis/')) || (error.status === 403 && watched.side === 'host' && watched.clusterScoped);
}

/** Events by uid (their names are unique only per namespace); the name when a uid is missing. */
function eventKey(raw: RawObject): string {
  const metadata = (raw.metadata ?? {}) as Record<string, unknown>;
  return typeof metadata.uid === 'string' ? metadata.uid : `${String(metadata.namespace ?? '')}/${String(metadata.name ?? '')}`;
}

function objectKey(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}
