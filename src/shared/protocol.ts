/**
 * The one message protocol between the extension and the mapping inspector webview; both bundles
 * import this file. Every message is a discriminated union member, and every message received on
 * either side goes through a parse function here: nothing crosses the boundary as `any`, and
 * fields a message does not define are dropped.
 */

export const PROTOCOL_VERSION = 4;

export type PairStatusName = 'synced' | 'pending' | 'error' | 'orphaned' | 'virtualOnly' | 'controlPlane';
export const PAIR_STATUSES: readonly PairStatusName[] = ['synced', 'pending', 'error', 'orphaned', 'virtualOnly', 'controlPlane'];

/** A count per status, all zero: what the tree's groups and the inspector's summary start from. */
export function emptyStatusCounts(): Record<PairStatusName, number> {
  return { synced: 0, pending: 0, error: 0, orphaned: 0, virtualOnly: 0, controlPlane: 0 };
}

/** Whether a row's host name is an object that exists (not the name a pending or failed pair should get). */
export function rowHasHostObject(row: Pick<PairRow, 'status' | 'hostName'>): boolean {
  return row.hostName !== undefined && row.status !== 'pending' && row.status !== 'error';
}

export interface VClusterIdentity {
  name: string;
  namespace: string;
  hostContext: string;
}

/** One row of the inspector's table: a mapping pair, flattened. */
export interface PairRow {
  id: string;
  kind: string;
  status: PairStatusName;
  virtualNamespace?: string;
  virtualName?: string;
  hostNamespace?: string;
  hostName?: string;
  /** ISO creation time of the virtual side (else the host side), for the age column. */
  created?: string;
  /** Warning events on either side (the row's badge). */
  warnings?: number;
  /** The newest warning, or why the pair is an error: the badge's tooltip. */
  problem?: string;
}

/** Where the live model is: the same states the tree shows. */
export type SourceState =
  | { state: 'loading' }
  | { state: 'ready'; virtualReachable: boolean; note?: string }
  | { state: 'error'; message: string };

/** How a label or annotation differs between the virtual object and the host object. */
export type MetadataChange =
  | 'same'
  /** On the host only, in the syncer's vcluster.loft.sh/ namespace: a marker it added. */
  | 'marker'
  /** On the host only, not a syncer marker (added on the host by the syncer or another controller). */
  | 'hostOnly'
  /** In the virtual cluster only: not copied to the host. */
  | 'virtualOnly'
  /** On both sides with different values. */
  | 'rewritten';

export interface MetadataRow {
  key: string;
  virtual?: string;
  host?: string;
  change: MetadataChange;
}

/** One line of a unified diff; 'skip' stands for `count` unchanged lines left out. */
export type DiffLine =
  | { op: 'same' | 'removed' | 'added'; text: string }
  | { op: 'skip'; count: number };

export interface ObjectName {
  namespace?: string;
  name: string;
}

/** What the detail pane shows for the selected pair, read from both API servers on selection. */
export interface PairDetail {
  id: string;
  kind: string;
  status: PairStatusName;
  virtual?: ObjectName;
  host?: ObjectName;
  /** Whether each side could be read now. */
  virtualRead: boolean;
  hostRead: boolean;
  labels: MetadataRow[];
  annotations: MetadataRow[];
  /** The objects without metadata and status, as YAML with sorted keys, virtual → host. */
  body: DiffLine[];
  /** Lines for the reader: why a side is missing, that Secret values are hidden. */
  notes: string[];
  /** Events on both sides, newest first (at most MAX_EVENTS). */
  events: EventRow[];
  /** Why events of a side are missing (forbidden by RBAC, the virtual cluster not connected). */
  eventNotes: string[];
}

export interface EventRow {
  side: ObjectSideName;
  type: string;
  reason: string;
  message: string;
  count: number;
  /** ISO time last seen. */
  lastSeen?: string;
  source?: string;
}

/** The detail shows this many events at most (kubectl describe shows all; a pod in a crash loop has few distinct ones). */
export const MAX_EVENTS = 200;

export type ObjectSideName = 'virtual' | 'host';

/** Webview → extension. */
export type WebviewMessage =
  | { type: 'ready'; protocolVersion: number }
  | { type: 'reportError'; message: string }
  | { type: 'selectPair'; id: string }
  | { type: 'openYaml'; id: string; side: ObjectSideName }
  | { type: 'compareSides'; id: string }
  | { type: 'revealInTree'; id: string }
  | { type: 'whyNotSynced'; id: string }
  | { type: 'showLogs'; id: string; side: ObjectSideName };

/** Extension → webview. */
export type HostMessage =
  | { type: 'snapshot'; protocolVersion: number; vcluster: VClusterIdentity; source: SourceState; rows: PairRow[]; focusId?: string }
  | { type: 'update'; source: SourceState; upserts: PairRow[]; removedIds: string[] }
  | { type: 'focusPair'; id: string }
  /** Shows one group of the tree: its namespace (or synthetic group), optionally one kind in it. */
  | { type: 'showGroup'; namespace: string; kind?: string }
  | { type: 'detail'; detail: PairDetail }
  | { type: 'detailError'; id: string; message: string };

type Validator<T> = (value: Record<string, unknown>) => T | undefined;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const MAX_TEXT = 10_000;
/** Kubernetes names are at most 253 characters; ids join a kind, a namespace and a name. */
const MAX_NAME = 1_000;
/** Far more pairs than any vCluster holds; a bound so a bad message cannot ask for unbounded work. */
const MAX_ROWS = 1_000_000;
const MAX_LINES = 200_000;

function isText(value: unknown, max = MAX_TEXT): value is string {
  return typeof value === 'string' && value.length <= max;
}
const isName = (value: unknown): value is string => isText(value, MAX_NAME) && value.length > 0;
const isOptionalName = (value: unknown): value is string | undefined => value === undefined || isName(value);
const isStatus = (value: unknown): value is PairStatusName => typeof value === 'string' && (PAIR_STATUSES as readonly string[]).includes(value);
const isSide = (value: unknown): value is ObjectSideName => value === 'virtual' || value === 'host';

function parseWith<T extends { type: string }>(validators: Record<T['type'], Validator<T>>, value: unknown): T | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') return undefined;
  if (!Object.prototype.hasOwnProperty.call(validators, value.type)) return undefined;
  return validators[value.type as T['type']](value);
}

/** Parses every element, or fails as a whole: half a list is worse than none. */
function parseList<T>(value: unknown, max: number, parse: (item: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(value) || value.length > max) return undefined;
  const result: T[] = new Array(value.length);
  for (let index = 0; index < value.length; index++) {
    const item = parse(value[index]);
    if (item === undefined) return undefined;
    result[index] = item;
  }
  return result;
}

export function parsePairRow(value: unknown): PairRow | undefined {
  if (!isRecord(value) || !isName(value.id) || !isName(value.kind) || !isStatus(value.status)) return undefined;
  const { virtualNamespace, virtualName, hostNamespace, hostName, created } = value;
  if (!isOptionalName(virtualNamespace) || !isOptionalName(virtualName) || !isOptionalName(hostNamespace) || !isOptionalName(hostName)) return undefined;
  if (created !== undefined && !isText(created, 64)) return undefined;
  const { warnings, problem } = value;
  if ((warnings !== undefined && !isCount(warnings)) || (problem !== undefined && !isText(problem))) return undefined;
  const row: PairRow = { id: value.id, kind: value.kind, status: value.status };
  if (virtualNamespace !== undefined) row.virtualNamespace = virtualNamespace;
  if (virtualName !== undefined) row.virtualName = virtualName;
  if (hostNamespace !== undefined) row.hostNamespace = hostNamespace;
  if (hostName !== undefined) row.hostName = hostName;
  if (created !== undefined) row.created = created;
  if (warnings !== undefined) row.warnings = warnings;
  if (problem !== undefined) row.problem = problem;
  return row;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER;
}

function parseEventRow(value: unknown): EventRow | undefined {
  if (!isRecord(value) || !isSide(value.side) || !isText(value.type, 100) || !isText(value.reason, MAX_NAME) || !isText(value.message) || !isCount(value.count)) return undefined;
  if ((value.lastSeen !== undefined && !isText(value.lastSeen, 64)) || (value.source !== undefined && !isText(value.source, MAX_NAME))) return undefined;
  return {
    side: value.side, type: value.type, reason: value.reason, message: value.message, count: value.count,
    ...(value.lastSeen !== undefined ? { lastSeen: value.lastSeen } : {}),
    ...(value.source !== undefined ? { source: value.source } : {}),
  };
}

function parseSourceState(value: unknown): SourceState | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.state) {
    case 'loading':
      return { state: 'loading' };
    case 'error':
      return isText(value.message) ? { state: 'error', message: value.message } : undefined;
    case 'ready': {
      if (typeof value.virtualReachable !== 'boolean') return undefined;
      if (value.note !== undefined && !isText(value.note)) return undefined;
      return { state: 'ready', virtualReachable: value.virtualReachable, ...(value.note !== undefined ? { note: value.note } : {}) };
    }
    default:
      return undefined;
  }
}

function parseVClusterIdentity(value: unknown): VClusterIdentity | undefined {
  if (!isRecord(value) || !isName(value.name) || !isName(value.namespace) || !isName(value.hostContext)) return undefined;
  return { name: value.name, namespace: value.namespace, hostContext: value.hostContext };
}

const METADATA_CHANGES: readonly MetadataChange[] = ['same', 'marker', 'hostOnly', 'virtualOnly', 'rewritten'];

function parseMetadataRow(value: unknown): MetadataRow | undefined {
  if (!isRecord(value) || !isName(value.key) || !(METADATA_CHANGES as readonly unknown[]).includes(value.change)) return undefined;
  if ((value.virtual !== undefined && !isText(value.virtual, 1_000_000)) || (value.host !== undefined && !isText(value.host, 1_000_000))) return undefined;
  const row: MetadataRow = { key: value.key, change: value.change as MetadataChange };
  if (value.virtual !== undefined) row.virtual = value.virtual;
  if (value.host !== undefined) row.host = value.host;
  return row;
}

function parseDiffLine(value: unknown): DiffLine | undefined {
  if (!isRecord(value)) return undefined;
  if (value.op === 'skip') return typeof value.count === 'number' && Number.isInteger(value.count) && value.count > 0 ? { op: 'skip', count: value.count } : undefined;
  if ((value.op === 'same' || value.op === 'removed' || value.op === 'added') && isText(value.text, 100_000)) return { op: value.op, text: value.text };
  return undefined;
}

function parseObjectName(value: unknown): ObjectName | undefined {
  if (!isRecord(value) || !isName(value.name) || !isOptionalName(value.namespace)) return undefined;
  return value.namespace === undefined ? { name: value.name } : { namespace: value.namespace, name: value.name };
}

function parsePairDetail(value: unknown): PairDetail | undefined {
  if (!isRecord(value) || !isName(value.id) || !isName(value.kind) || !isStatus(value.status)) return undefined;
  if (typeof value.virtualRead !== 'boolean' || typeof value.hostRead !== 'boolean') return undefined;
  const virtual = value.virtual === undefined ? undefined : parseObjectName(value.virtual);
  const host = value.host === undefined ? undefined : parseObjectName(value.host);
  if ((value.virtual !== undefined && !virtual) || (value.host !== undefined && !host)) return undefined;
  const labels = parseList(value.labels, MAX_LINES, parseMetadataRow);
  const annotations = parseList(value.annotations, MAX_LINES, parseMetadataRow);
  const body = parseList(value.body, MAX_LINES, parseDiffLine);
  const notes = parseList(value.notes, 100, (note) => (isText(note) ? note : undefined));
  const events = parseList(value.events, MAX_EVENTS, parseEventRow);
  const eventNotes = parseList(value.eventNotes, 10, (note) => (isText(note) ? note : undefined));
  if (!labels || !annotations || !body || !notes || !events || !eventNotes) return undefined;
  return {
    id: value.id, kind: value.kind, status: value.status,
    ...(virtual ? { virtual } : {}), ...(host ? { host } : {}),
    virtualRead: value.virtualRead, hostRead: value.hostRead, labels, annotations, body, notes, events, eventNotes,
  };
}

const webviewValidators: Record<WebviewMessage['type'], Validator<WebviewMessage>> = {
  ready: (value) => (typeof value.protocolVersion === 'number' ? { type: 'ready', protocolVersion: value.protocolVersion } : undefined),
  reportError: (value) => (isText(value.message) ? { type: 'reportError', message: value.message } : undefined),
  selectPair: (value) => (isName(value.id) ? { type: 'selectPair', id: value.id } : undefined),
  openYaml: (value) => (isName(value.id) && isSide(value.side) ? { type: 'openYaml', id: value.id, side: value.side } : undefined),
  compareSides: (value) => (isName(value.id) ? { type: 'compareSides', id: value.id } : undefined),
  revealInTree: (value) => (isName(value.id) ? { type: 'revealInTree', id: value.id } : undefined),
  whyNotSynced: (value) => (isName(value.id) ? { type: 'whyNotSynced', id: value.id } : undefined),
  showLogs: (value) => (isName(value.id) && isSide(value.side) ? { type: 'showLogs', id: value.id, side: value.side } : undefined),
};

const hostValidators: Record<HostMessage['type'], Validator<HostMessage>> = {
  snapshot: (value) => {
    const vcluster = parseVClusterIdentity(value.vcluster);
    const source = parseSourceState(value.source);
    const rows = parseList(value.rows, MAX_ROWS, parsePairRow);
    if (typeof value.protocolVersion !== 'number' || !vcluster || !source || !rows) return undefined;
    if (value.focusId !== undefined && !isName(value.focusId)) return undefined;
    return { type: 'snapshot', protocolVersion: value.protocolVersion, vcluster, source, rows, ...(value.focusId !== undefined ? { focusId: value.focusId } : {}) };
  },
  update: (value) => {
    const source = parseSourceState(value.source);
    const upserts = parseList(value.upserts, MAX_ROWS, parsePairRow);
    const removedIds = parseList(value.removedIds, MAX_ROWS, (id) => (isName(id) ? id : undefined));
    return source && upserts && removedIds ? { type: 'update', source, upserts, removedIds } : undefined;
  },
  focusPair: (value) => (isName(value.id) ? { type: 'focusPair', id: value.id } : undefined),
  showGroup: (value) => (isName(value.namespace) && isOptionalName(value.kind)
    ? { type: 'showGroup', namespace: value.namespace, ...(value.kind !== undefined ? { kind: value.kind } : {}) }
    : undefined),
  detail: (value) => {
    const detail = parsePairDetail(value.detail);
    return detail ? { type: 'detail', detail } : undefined;
  },
  detailError: (value) => (isName(value.id) && isText(value.message) ? { type: 'detailError', id: value.id, message: value.message } : undefined),
};

/** For the extension side: a message from a webview, or undefined when it is not one we know. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  return parseWith(webviewValidators, value);
}

/** For the webview side: a message from the extension, or undefined when it is not one we know. */
export function parseHostMessage(value: unknown): HostMessage | undefined {
  return parseWith(hostValidators, value);
}
