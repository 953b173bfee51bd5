import type { DiffLine as WireDiffLine, EventRow, MetadataRow as WireMetadataRow, ObjectName as WireObjectName, PairDetail } from '../shared/protocol';
import type { ObjectEvent } from '../vcluster/mapping/pairEvents';
import type { DiffLine, MetadataRow, ObjectName, PairComparisonDetail } from '../vcluster/compare/comparisonModel';

/**
 * The core's comparison of a pair as the inspector's wire message. Field by field on purpose:
 * a change on either side (model or protocol) is a type error here, not a silent mismatch.
 */
export function toPairDetailMessage(detail: PairComparisonDetail): PairDetail {
  return {
    id: detail.id,
    kind: detail.kind,
    status: detail.status,
    ...(detail.virtual ? { virtual: toObjectName(detail.virtual) } : {}),
    ...(detail.host ? { host: toObjectName(detail.host) } : {}),
    virtualRead: detail.virtualRead,
    hostRead: detail.hostRead,
    labels: detail.labels.map(toMetadataRow),
    annotations: detail.annotations.map(toMetadataRow),
    body: detail.body.map(toDiffLine),
    notes: [...detail.notes],
    events: detail.events.map(toEventRow),
    eventNotes: [...detail.eventNotes],
  };
}

function toEventRow(event: ObjectEvent): EventRow {
  return {
    side: event.side, type: event.type, reason: event.reason, message: event.message, count: event.count,
    ...(event.lastSeen === undefined ? {} : { lastSeen: event.lastSeen }),
    ...(event.source === undefined ? {} : { source: event.source }),
  };
}

function toObjectName(name: ObjectName): WireObjectName {
  return name.namespace === undefined ? { name: name.name } : { namespace: name.namespace, name: name.name };
}

function toMetadataRow(row: MetadataRow): WireMetadataRow {
  return {
    key: row.key,
    change: row.change,
    ...(row.virtual === undefined ? {} : { virtual: row.virtual }),
    ...(row.host === undefined ? {} : { host: row.host }),
  };
}

function toDiffLine(line: DiffLine): WireDiffLine {
  return line.op === 'skip' ? { op: 'skip', count: line.count } : { op: line.op, text: line.text };
}
