import type { KubeClient } from '../../kube/client';
import { describeKubeError } from '../../kube/errors';
import type { ObjectName, PairComparisonDetail } from './comparisonModel';
import { hasHostObject, hasVirtualObject, type MappingPair, type ObjectSide } from '../mapping/mapping';
import { comparePairObjects, type KubeJson } from './pairComparison';
import { objectPath } from '../mapping/objectPaths';
import type { ObjectEvent } from '../mapping/pairEvents';

/** The detail lists this many events at most (the wire's bound). */
const MAX_DETAIL_EVENTS = 200;

/** Bound on reading each side for the detail pane. */
const READ_TIMEOUT_MS = 15_000;

export interface PairDetailSources {
  hostClient: KubeClient;
  /** Undefined when the virtual cluster is not connected. */
  virtualClient: KubeClient | undefined;
  /** YAML with sorted keys, so both sides line up for the diff. */
  stringify: (value: unknown) => string;
  signal?: AbortSignal;
  /** The pair's events as the live source holds them, and why a side's are missing. */
  events?: { events: readonly ObjectEvent[]; notes: readonly string[] };
}

type SideRead = { object?: KubeJson; note?: string };

/**
 * The detail pane of one pair: both objects read now from their API servers (the model keeps
 * only names and markers), compared label by label and as a diff of everything but metadata and
 * status. A side that cannot be read is a note, not a failure: the other side is still shown.
 */
export async function readPairDetail(pair: MappingPair, sources: PairDetailSources): Promise<PairComparisonDetail> {
  const virtualSide = hasVirtualObject(pair) ? pair.virtual : undefined;
  const hostSide = hasHostObject(pair) ? pair.host : undefined;
  const [virtual, host] = await Promise.all([
    readSide('virtual', pair.kind, virtualSide, sources.virtualClient, sources.signal),
    readSide('host', pair.kind, hostSide, sources.hostClient, sources.signal),
  ]);
  const comparison = comparePairObjects(pair.kind, virtual.object, host.object, sources.stringify);
  const notes = [virtual.note, host.note, ...comparison.notes].filter((note): note is string => Boolean(note));
  return {
    id: pair.id,
    kind: pair.kind,
    status: pair.status,
    ...(pair.virtual ? { virtual: objectName(pair.virtual) } : {}),
    ...(pair.host ? { host: objectName(pair.host) } : {}),
    virtualRead: virtual.object !== undefined,
    hostRead: host.object !== undefined,
    labels: comparison.labels,
    annotations: comparison.annotations,
    body: comparison.body,
    notes,
    events: (sources.events?.events ?? []).slice(0, MAX_DETAIL_EVENTS),
    eventNotes: [...(sources.events?.notes ?? [])],
  };
}

function objectName(side: ObjectSide): ObjectName {
  return side.namespace ? { namespace: side.namespace, name: side.name } : { name: side.name };
}

const WHY_MISSING: Record<'virtual' | 'host', string> = {
  virtual: 'There is no virtual object (it was deleted, or replaced by a new one of the same name).',
  host: 'The syncer has not made a host object for it (not synced, or not yet).',
};

async function readSide(which: 'virtual' | 'host', kind: string, side: ObjectSide | undefined, client: KubeClient | undefined, signal: AbortSignal | undefined): Promise<SideRead> {
  if (!side) return { note: WHY_MISSING[which] };
  if (!client) return { note: 'The virtual cluster is not connected: connect to compare both sides.' };
  const path = objectPath(kind, side.namespace, side.name);
  if (!path) return { note: `The extension cannot read objects of kind ${kind}.` };
  const timeout = AbortSignal.timeout(READ_TIMEOUT_MS);
  try {
    const object = await client.getJson<KubeJson>(path, {}, signal ? AbortSignal.any([signal, timeout]) : timeout);
    return { object };
  } catch (error) {
    const described = describeKubeError(error, READ_TIMEOUT_MS / 1000);
    const where = which === 'virtual' ? 'virtual cluster' : 'host';
    return described.kind === 'notFound'
      ? { note: `${kind} ${side.namespace ? `${side.namespace}/` : ''}${side.name} does not exist in the ${where} (any more).` }
      : { note: `Could not read the ${which} object: ${described.message}` };
  }
}
