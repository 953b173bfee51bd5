import type { KubeClient } from '../../kube/client';
import { describeKubeError, isKubeApiError } from '../../kube/errors';
import { METADATA_ONLY_LIST_ACCEPT, type RawObject } from '../../kube/watch';
import { lean } from './leanObject';
import { buildMapping, clusterMarkerLabel, SYNCABLE_KINDS, syncSettings, type MappingPair, type SyncableKind } from './mapping';
import type { MappingSource, MappingSourceState } from './mappingSource';
import { objectPath } from './objectPaths';
import { MANAGED_BY_LABEL } from '../identity';

/**
 * Clean-up of orphaned host objects: host objects the syncer made whose virtual object is gone or
 * was replaced (buildMapping's 'orphaned'). The live mapping names the candidates; a fresh read of
 * both clusters confirms them just before the user is asked (a watch may lag, and a kind the
 * virtual cluster does not serve would make every host object of that kind look orphaned); each
 * delete carries the host object's uid as a precondition, so an object re-created under the same
 * name meanwhile is never deleted in its predecessor's place. No VS Code here: the command asks
 * and shows progress.
 */

export interface OrphanedHostObject {
  /** The pair's id in the mapping (what the tree and the inspector show). */
  pairId: string;
  kind: string;
  /** Undefined for a cluster-scoped kind. */
  namespace?: string;
  name: string;
  /** The host object's uid when it was listed: the precondition of its delete. */
  uid: string;
  /** The virtual object it was copied from. */
  virtual: { namespace?: string; name: string };
}

const SYNCABLE_BY_KIND = new Map(SYNCABLE_KINDS.map((entry) => [entry.kind, entry]));

/**
 * The pairs whose host object clean-up may delete: orphaned ones only (never control-plane,
 * synced or pending ones), of a kind the syncer copies (the host object has that kind too, so
 * its path is known), with the uid the delete's precondition needs. Sorted as the user reads them.
 */
export function orphanCandidates(pairs: readonly MappingPair[]): OrphanedHostObject[] {
  const candidates: OrphanedHostObject[] = [];
  for (const pair of pairs) {
    const host = pair.host;
    if (pair.status !== 'orphaned' || !host?.uid || !pair.virtual || !SYNCABLE_BY_KIND.has(pair.kind)) continue;
    candidates.push({
      pairId: pair.id,
      kind: pair.kind,
      ...(host.namespace ? { namespace: host.namespace } : {}),
      name: host.name,
      uid: host.uid,
      virtual: { ...(pair.virtual.namespace ? { namespace: pair.virtual.namespace } : {}), name: pair.virtual.name },
    });
  }
  return candidates.sort((a, b) => a.kind.localeCompare(b.kind) || (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name));
}

/**
 * Why the mapping cannot tell orphans yet, or undefined when it can: only a loaded mapping that
 * reads the virtual cluster knows whether a host object's virtual object is gone (from host
 * markers alone every host object looks synced).
 */
export function orphanSearchProblem(status: MappingSourceState): string | undefined {
  switch (status.state) {
    case 'loading':
      return 'the mapping has not loaded yet';
    case 'error':
      return status.message;
    case 'ready':
      if (status.virtualReachable) return undefined;
      return status.virtualProblem ? `the virtual cluster cannot be read: ${status.virtualProblem}` : 'the virtual cluster is not connected';
  }
}

/**
 * The source's state once it is no longer loading, or still 'loading' after `timeoutMs`; rejects
 * with the signal's reason when cancelled.
 */
export function settledMappingState(source: Pick<MappingSource, 'status' | 'onDidChange'>, signal: AbortSignal, timeoutMs: number): Promise<MappingSourceState> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    if (source.status.state !== 'loading') return resolve(source.status);
    const finish = (settle: () => void) => {
      subscription.dispose();
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = () => finish(() => reject(signal.reason as Error));
    const timer = setTimeout(() => finish(() => resolve(source.status)), timeoutMs);
    const subscription = source.onDidChange(() => {
      if (source.status.state !== 'loading') finish(() => resolve(source.status));
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface OrphanCheckTarget {
  host: Pick<KubeClient, 'request'>;
  virtual: Pick<KubeClient, 'request'>;
  vclusterName: string;
  hostNamespace: string;
  /** Bound on each list page (default 15 s). */
  requestTimeoutMs?: number;
}

export interface OrphanCheck {
  /** Still orphaned on a fresh read of both clusters: what may be offered for deletion. */
  orphans: OrphanedHostObject[];
  /** Candidates no longer to be offered, each with why. */
  dropped: Array<{ orphan: OrphanedHostObject; reason: string }>;
  /** Kinds that could not be read again on one side: none of their candidates is offered. */
  unreadable: Array<{ kind: string; reason: string }>;
}

/**
 * Reads the candidates' kinds again on both sides (metadata only: Secrets' data is never asked
 * for) and keeps the candidates that buildMapping still calls orphaned, with the same host uid,
 * and that nobody is deleting already.
 */
export async function recheckOrphans(target: OrphanCheckTarget, candidates: readonly OrphanedHostObject[], signal: AbortSignal): Promise<OrphanCheck> {
  const check: OrphanCheck = { orphans: [], dropped: [], unreadable: [] };
  const byKind = new Map<string, OrphanedHostObject[]>();
  for (const candidate of candidates) byKind.set(candidate.kind, [...(byKind.get(candidate.kind) ?? []), candidate]);
  for (const [kind, ofKind] of byKind) {
    const entry = SYNCABLE_BY_KIND.get(kind);
    if (!entry) {
      check.unreadable.push({ kind, reason: 'not a kind the syncer copies' });
      continue;
    }
    let hostItems: RawObject[];
    let virtualItems: RawObject[];
    try {
      [hostItems, virtualItems] = await Promise.all([
        listMetadata(target.host, hostListPath(entry, target.hostNamespace), hostListQuery(entry, target), signal, target.requestTimeoutMs),
        listMetadata(target.virtual, `${entry.apiPath}/${entry.resource}`, {}, signal, target.requestTimeoutMs),
      ]);
    } catch (error) {
      signal.throwIfAborted();
      check.unreadable.push({ kind, reason: describeKubeError(error).message });
      continue;
    }
    const pairs = buildMapping({
      vclusterName: target.vclusterName,
      hostNamespace: target.hostNamespace,
      hostObjects: hostItems.map((raw) => lean(raw, { kind, side: 'host' })),
      virtualObjects: virtualItems.map((raw) => lean(raw, { kind, side: 'virtual' })),
      // Only matters for virtual objects without a host copy (pending or virtual-only), never
      // for whether a host object is orphaned.
      sync: syncSettings(undefined),
    });
    const stillOrphaned = new Set(pairs.filter((pair) => pair.status === 'orphaned' && pair.kind === kind).map((pair) => pair.host?.uid));
    const hostByUid = new Map(hostItems.map((raw) => [raw.metadata?.uid, raw]));
    for (const candidate of ofKind) {
      const host = hostByUid.get(candidate.uid);
      if (!host) check.dropped.push({ orphan: candidate, reason: 'it is no longer on the host' });
      else if (host.metadata?.deletionTimestamp) check.dropped.push({ orphan: candidate, reason: 'it is being deleted already' });
      else if (!stillOrphaned.has(candidate.uid)) check.dropped.push({ orphan: candidate, reason: 'a fresh read shows its virtual object' });
      else check.orphans.push(candidate);
    }
  }
  return check;
}

function hostListPath(entry: SyncableKind, hostNamespace: string): string {
  return entry.namespaced ? `${entry.apiPath}/namespaces/${encodeURIComponent(hostNamespace)}/${entry.resource}` : `${entry.apiPath}/${entry.resource}`;
}

/** Cluster-scoped host objects: only this vCluster's (the syncer's marker for it), as the mapping lists them. */
function hostListQuery(entry: SyncableKind, target: OrphanCheckTarget): Record<string, string> {
  return entry.namespaced ? {} : { labelSelector: `${MANAGED_BY_LABEL}=${clusterMarkerLabel(target.hostNamespace, target.vclusterName)}` };
}

async function listMetadata(client: Pick<KubeClient, 'request'>, path: string, query: Record<string, string>, signal: AbortSignal, requestTimeoutMs = 15_000): Promise<RawObject[]> {
  const items: RawObject[] = [];
  let continueToken: string | undefined;
  do {
    const page = await client.request<{ items?: RawObject[]; metadata?: { continue?: string } }>('GET', path, {
      query: { ...query, limit: '500', continue: continueToken },
      accept: METADATA_ONLY_LIST_ACCEPT,
    }, AbortSignal.any([signal, AbortSignal.timeout(requestTimeoutMs)]));
    items.push(...(page?.items ?? []));
    continueToken = page?.metadata?.continue || undefined;
  } while (continueToken);
  return items;
}

/**
 * What became of one orphan: deleted (or its deletion started: finalizers, a pod's grace
 * period); already gone (someone else deleted it first: 404); recreated (a new object of that
 * name stands there now, so the uid precondition kept it: 409); failed (403 and the like, the
 * message says why); notAttempted (cancelled, or stopped because the host cannot be reached).
 */
export type OrphanDeletionOutcome = 'deleted' | 'alreadyGone' | 'recreated' | 'failed' | 'notAttempted';

export interface OrphanDeletion {
  orphan: OrphanedHostObject;
  outcome: OrphanDeletionOutcome;
  message?: string;
}

export interface OrphanCleanupReport {
  deletions: OrphanDeletion[];
  counts: Record<OrphanDeletionOutcome, number>;
  cancelled: boolean;
  /** Why the rest was not attempted, when a failure meant every further delete would fail too. */
  stoppedBecause?: string;
}

/**
 * Deletes each orphan in turn with its uid as precondition. A 403 or another per-object failure
 * is recorded and the rest go on; credentials refused or a host that cannot be reached stop the
 * run (every further delete would fail alike). Cancelling leaves the rest untouched.
 */
export async function deleteOrphans(
  host: Pick<KubeClient, 'deleteIfUid'>,
  orphans: readonly OrphanedHostObject[],
  options: { signal: AbortSignal; onDeleted?: (deletion: OrphanDeletion, done: number, total: number) => void; requestTimeoutMs?: number },
): Promise<OrphanCleanupReport> {
  const { signal } = options;
  const deletions: OrphanDeletion[] = [];
  let stoppedBecause: string | undefined;
  for (const orphan of orphans) {
    if (signal.aborted || stoppedBecause) {
      deletions.push({ orphan, outcome: 'notAttempted' });
      continue;
    }
    const { deletion, stopsTheRest } = await deleteOne(host, orphan, signal, options.requestTimeoutMs ?? 15_000);
    if (stopsTheRest) stoppedBecause = deletion.message;
    deletions.push(deletion);
    options.onDeleted?.(deletion, deletions.length, orphans.length);
  }
  const counts: Record<OrphanDeletionOutcome, number> = { deleted: 0, alreadyGone: 0, recreated: 0, failed: 0, notAttempted: 0 };
  for (const deletion of deletions) counts[deletion.outcome]++;
  return { deletions, counts, cancelled: signal.aborted, ...(stoppedBecause ? { stoppedBecause } : {}) };
}

async function deleteOne(host: Pick<KubeClient, 'deleteIfUid'>, orphan: OrphanedHostObject, signal: AbortSignal, requestTimeoutMs: number): Promise<{ deletion: OrphanDeletion; stopsTheRest?: boolean }> {
  const path = objectPath(orphan.kind, orphan.namespace, orphan.name);
  if (!path) return { deletion: { orphan, outcome: 'failed', message: `${orphan.kind} is not a kind the extension knows the path of` } };
  try {
    const answer = await host.deleteIfUid<{ metadata?: { deletionTimestamp?: string } } | undefined>(path, orphan.uid, AbortSignal.any([signal, AbortSignal.timeout(requestTimeoutMs)]));
    return { deletion: { orphan, outcome: 'deleted', ...(answer?.metadata?.deletionTimestamp ? { message: 'deletion started (it is terminating)' } : {}) } };
  } catch (error) {
    if (isKubeApiError(error) && error.status === 404) return { deletion: { orphan, outcome: 'alreadyGone' } };
    if (isKubeApiError(error) && error.status === 409) return { deletion: { orphan, outcome: 'recreated', message: `kept: a new object of that name has taken its place (${error.message})` } };
    if (signal.aborted) return { deletion: { orphan, outcome: 'failed', message: 'cancelled before the API server answered: it may or may not be deleted' } };
    const description = describeKubeError(error, requestTimeoutMs / 1000);
    // Refused credentials or a host out of reach: every further delete would fail alike.
    const stopsTheRest = description.kind === 'unauthorized' || description.kind === 'unreachable' || description.kind === 'tls';
    return { deletion: { orphan, outcome: 'failed', message: description.message }, stopsTheRest };
  }
}

/** "ConfigMap vcluster-demo/app-x-default-x-demo". */
export function describeHostObject(orphan: Pick<OrphanedHostObject, 'kind' | 'namespace' | 'name'>): string {
  return `${orphan.kind} ${orphan.namespace ? `${orphan.namespace}/` : ''}${orphan.name}`;
}

/** One line per orphan for a confirmation: the first `shown`, then how many more. */
export function orphanListText(orphans: readonly OrphanedHostObject[], shown = 20): string {
  const lines = orphans.slice(0, shown).map((orphan) => `• ${describeHostObject(orphan)} (of virtual ${orphan.virtual.namespace ? `${orphan.virtual.namespace}/` : ''}${orphan.virtual.name})`);
  const more = orphans.length - shown;
  if (more > 0) lines.push(`…and ${more} more (all of them are listed in the output log)`);
  return lines.join('\n');
}

/** One sentence for the notification after a clean-up. */
export function cleanupSummary(report: OrphanCleanupReport): string {
  const { counts } = report;
  const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
  const parts = [`deleted ${plural(counts.deleted, 'orphaned host object')}`];
  if (counts.alreadyGone) parts.push(`${counts.alreadyGone} already gone`);
  if (counts.recreated) parts.push(`${counts.recreated} kept (re-created under the same name)`);
  if (counts.failed) parts.push(`${counts.failed} failed`);
  if (counts.notAttempted) parts.push(`${counts.notAttempted} not attempted${report.cancelled ? ' (cancelled)' : report.stoppedBecause ? ` (${report.stoppedBecause})` : ''}`);
  const sentence = parts.join(', ');
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
}
