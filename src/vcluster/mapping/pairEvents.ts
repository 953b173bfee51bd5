import type { RawObject } from '../../kube/watch';
import { hasHostObject, hasVirtualObject, type MappingPair } from './mapping';

/**
 * Events on either side of a pair, as `kubectl describe` shows them, and what they say about the
 * pair: how many warnings, and whether the syncer failed to copy it to the host. Pure: the
 * MappingSource feeds it the events it watches.
 *
 * How the syncer reports a failed sync (v0.36.1, pkg/controllers/resources/<kind>/syncer.go, seen
 * for real here with a host ResourceQuota): a Warning event with reason `SyncError` on the
 * *virtual* object, reportingComponent `<kind>-syncer`, message `Error syncing to host cluster:
 * <the host API server's error>`, plus log lines naming the object. It sets no condition.
 */

export const SYNC_ERROR_REASON = 'SyncError';
/** An event's message is shown whole up to here: a controller may put a whole object in one. */
const MAX_MESSAGE = 4_000;

export interface InvolvedObject {
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

export interface ObjectEvent {
  side: 'virtual' | 'host';
  type: string;
  reason: string;
  message: string;
  /** How many times it happened (core/v1 `count`, or the events.k8s.io series). */
  count: number;
  /** ISO time it was last seen; undefined when the event has none. */
  lastSeen?: string;
  /** Who wrote it: reportingComponent, else source.component. */
  source?: string;
  involved: InvolvedObject;
}

export interface PairEventSummary {
  /** Events on both sides, newest first. */
  events: ObjectEvent[];
  warnings: number;
  /** The newest SyncError on the virtual side, if any. */
  syncError?: ObjectEvent;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The fields of a core/v1 Event the views show, from either event API's shape. */
export function leanEvent(raw: RawObject, side: ObjectEvent['side']): ObjectEvent {
  const event = raw as Record<string, unknown>;
  const involved = (event.involvedObject ?? event.regarding ?? {}) as Record<string, unknown>;
  const series = (event.series ?? {}) as Record<string, unknown>;
  const source = (event.source ?? {}) as Record<string, unknown>;
  const metadata = (event.metadata ?? {}) as Record<string, unknown>;
  const message = (text(event.message) ?? text(event.note) ?? '').replace(/\s+$/, '');
  const count = typeof series.count === 'number' ? series.count : typeof event.count === 'number' ? event.count : 1;
  const lastSeen = text(series.lastObservedTime) ?? text(event.lastTimestamp) ?? text(event.eventTime) ?? text(event.firstTimestamp) ?? text(metadata.creationTimestamp);
  const reporter = text(event.reportingComponent) ?? text(source.component);
  const object: InvolvedObject = { kind: text(involved.kind) ?? '', name: text(involved.name) ?? '' };
  if (text(involved.namespace)) object.namespace = text(involved.namespace);
  if (text(involved.uid)) object.uid = text(involved.uid);
  return {
    side,
    type: text(event.type) ?? 'Normal',
    reason: text(event.reason) ?? '',
    message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)} … [cut]` : message,
    count: Math.max(1, Math.floor(count)),
    ...(lastSeen ? { lastSeen } : {}),
    ...(reporter ? { source: reporter } : {}),
    involved: object,
  };
}

const sideKey = (kind: string, namespace: string | undefined, name: string) => `${kind}\u0000${namespace ?? ''}\u0000${name}`;

/** Newest first; events without a time last. */
export function newestFirst(a: ObjectEvent, b: ObjectEvent): number {
  return (b.lastSeen ?? '').localeCompare(a.lastSeen ?? '');
}

/**
 * Which events belong to which pair: a virtual event by the pair's virtual kind/namespace/name, a
 * host event by its host kind/namespace/name — and, when both record a uid, only if it is the same
 * object (a pod deleted and made again under its name must not inherit the old one's warnings).
 * The host side of a pending pair is only the name it should get: events there are not its own.
 */
export function eventsByPair(pairs: readonly MappingPair[], virtualEvents: Iterable<ObjectEvent>, hostEvents: Iterable<ObjectEvent>): Map<string, PairEventSummary> {
  const byVirtual = new Map<string, MappingPair>();
  const byHost = new Map<string, MappingPair>();
  for (const pair of pairs) {
    if (hasVirtualObject(pair)) byVirtual.set(sideKey(pair.kind, pair.virtual.namespace, pair.virtual.name), pair);
    if (hasHostObject(pair)) byHost.set(sideKey(pair.kind, pair.host.namespace, pair.host.name), pair);
  }
  const result = new Map<string, PairEventSummary>();
  const add = (event: ObjectEvent, index: Map<string, MappingPair>) => {
    const pair = index.get(sideKey(event.involved.kind, event.involved.namespace, event.involved.name));
    if (!pair) return;
    const objectUid = event.side === 'virtual' ? pair.virtual?.uid : pair.host?.uid;
    if (event.involved.uid && objectUid && event.involved.uid !== objectUid) return;
    let summary = result.get(pair.id);
    if (!summary) result.set(pair.id, (summary = { events: [], warnings: 0 }));
    summary.events.push(event);
  };
  for (const event of virtualEvents) add(event, byVirtual);
  for (const event of hostEvents) add(event, byHost);
  for (const summary of result.values()) {
    summary.events.sort(newestFirst);
    summary.warnings = summary.events.filter((event) => event.type === 'Warning').length;
    const syncError = summary.events.find((event) => event.side === 'virtual' && event.type === 'Warning' && event.reason === SYNC_ERROR_REASON);
    if (syncError) summary.syncError = syncError;
  }
  return result;
}

/**
 * The pairs with what their events say: a pending pair whose virtual object carries a SyncError is
 * an **error** (the syncer tried and the host refused; it keeps retrying, so it stays an error
 * until the host object exists); every pair with warnings gets their count and the newest one.
 * A synced pair with an old SyncError stays synced (a later try worked), with the warning shown.
 */
export function withEvents(pairs: readonly MappingPair[], summaries: ReadonlyMap<string, PairEventSummary>): MappingPair[] {
  return pairs.map((pair) => {
    const summary = summaries.get(pair.id);
    if (!summary || summary.events.length === 0) return pair;
    const newestWarning = summary.events.find((event) => event.type === 'Warning');
    const annotated: MappingPair = { ...pair, events: { total: summary.events.length, warnings: summary.warnings, newest: summary.events[0]!.lastSeen ?? '' } };
    if (newestWarning) annotated.events!.newestWarning = `${newestWarning.reason}: ${newestWarning.message}`;
    if (pair.status === 'pending' && summary.syncError) {
      annotated.status = 'error';
      annotated.problem = syncErrorReason(summary.syncError.message);
    }
    return annotated;
  });
}

/** "Error syncing to host cluster: create object: pods "x" is forbidden: …" → what the host said. */
export function syncErrorReason(message: string): string {
  return message.replace(/^Error syncing( to host cluster)?:\s*/, '').replace(/^(sync to host: )?(create|update|patch|apply) object:\s*/, '') || message;
}
