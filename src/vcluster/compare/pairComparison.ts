import { createHash } from 'node:crypto';
import type { MetadataChange, MetadataRow, PairComparisonDetail } from './comparisonModel';
import { diffLines } from './lineDiff';

/**
 * What the mapping inspector shows of a pair: how the labels and annotations of the virtual
 * object and its host object differ, and a diff of the rest of the object, virtual → host.
 */

/** An object as an API server returns it. */
export type KubeJson = Record<string, unknown>;

export type PairComparison = Pick<PairComparisonDetail, 'labels' | 'annotations' | 'body' | 'notes'>;

/** The syncer's own labels and annotations; on the host only, they are its markers. */
const SYNCER_PREFIX = 'vcluster.loft.sh/';
/** kubectl apply copies the whole object in here, a Secret's data included. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Annotation values can be whole objects (last-applied); the table needs only their start. */
const MAX_VALUE_LENGTH = 2_000;
/** Fields the body leaves out: shown elsewhere (metadata), or not part of the desired state. */
const NOT_BODY = new Set(['metadata', 'status', 'apiVersion', 'kind']);

export const NOTE_VIRTUAL_UNREAD = 'The virtual object could not be read; only the host side is shown.';
export const NOTE_HOST_UNREAD = 'The host object could not be read; only the virtual side is shown.';
export const NOTE_NEITHER_READ = 'Neither object could be read; there is nothing to compare.';
export const NOTE_SECRET_HIDDEN = 'Secret values are hidden; keys, sizes and short hashes are shown.';

/** Changed rows first, in this order, so the reader sees what the syncer did before what it kept. */
const CHANGE_ORDER: Record<MetadataChange, number> = { rewritten: 0, marker: 1, hostOnly: 2, virtualOnly: 3, same: 4 };

/**
 * Compares a virtual object with its host object; either may be undefined when it could not be
 * read. `stringify` turns the body into YAML with sorted keys (the caller owns the YAML settings).
 * Secret values never reach the result: only keys, sizes and, where needed, short hashes.
 */
export function comparePairObjects(kind: string, virtual: KubeJson | undefined, host: KubeJson | undefined, stringify: (value: unknown) => string): PairComparison {
  const isSecret = kind === 'Secret';
  const notes: string[] = [];
  if (!virtual && !host) notes.push(NOTE_NEITHER_READ);
  else if (!virtual) notes.push(NOTE_VIRTUAL_UNREAD);
  else if (!host) notes.push(NOTE_HOST_UNREAD);
  if (isSecret) notes.push(NOTE_SECRET_HIDDEN);

  const hideValue = (key: string) => isSecret && key === LAST_APPLIED;
  const labels = compareMaps(stringMap(metadataOf(virtual).labels), stringMap(metadataOf(host).labels), () => false);
  const annotations = compareMaps(stringMap(metadataOf(virtual).annotations), stringMap(metadataOf(host).annotations), hideValue);

  let virtualBody = virtual && bodyOf(virtual);
  let hostBody = host && bodyOf(host);
  if (isSecret) [virtualBody, hostBody] = hideSecretValues(virtualBody, hostBody);
  const body = diffLines(bodyLines(virtualBody, stringify), bodyLines(hostBody, stringify));
  return { labels, annotations, body, notes };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function metadataOf(object: KubeJson | undefined): Record<string, unknown> {
  return object && isRecord(object.metadata) ? object.metadata : {};
}

/** Labels and annotations are string maps; anything else an API server would not send is shown as JSON. */
function stringMap(value: unknown): Map<string, string> {
  const map = new Map<string, string>();
  if (!isRecord(value)) return map;
  for (const [key, entry] of Object.entries(value)) map.set(key, typeof entry === 'string' ? entry : JSON.stringify(entry) ?? String(entry));
  return map;
}

function compareMaps(virtual: Map<string, string>, host: Map<string, string>, hideValue: (key: string) => boolean): MetadataRow[] {
  const rows: MetadataRow[] = [];
  for (const key of new Set([...virtual.keys(), ...host.keys()])) {
    const virtualValue = virtual.get(key);
    const hostValue = host.get(key);
    const row: MetadataRow = { key, change: changeOf(key, virtualValue, hostValue) };
    if (virtualValue !== undefined) row.virtual = hideValue(key) ? '<hidden>' : truncate(virtualValue);
    if (hostValue !== undefined) row.host = hideValue(key) ? '<hidden>' : truncate(hostValue);
    rows.push(row);
  }
  return rows.sort((a, b) => CHANGE_ORDER[a.change] - CHANGE_ORDER[b.change] || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Compares the full values, not the truncated ones. A side that could not be read has no keys,
 * so its rows are host- or virtual-only: 'same' would claim a comparison that was not made.
 */
function changeOf(key: string, virtualValue: string | undefined, hostValue: string | undefined): MetadataChange {
  if (virtualValue !== undefined && hostValue !== undefined) return virtualValue === hostValue ? 'same' : 'rewritten';
  if (hostValue !== undefined) return key.startsWith(SYNCER_PREFIX) ? 'marker' : 'hostOnly';
  return 'virtualOnly';
}

function truncate(value: string): string {
  if (value.length <= MAX_VALUE_LENGTH) return value;
  return `${value.slice(0, MAX_VALUE_LENGTH)}… (${value.length - MAX_VALUE_LENGTH} more characters)`;
}

/** The object without metadata, status, apiVersion and kind: spec, data, subsets, ports, …. A shallow copy. */
function bodyOf(object: KubeJson): KubeJson {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !NOT_BODY.has(key)));
}

function bodyLines(body: KubeJson | undefined, stringify: (value: unknown) => string): string[] {
  if (!body || Object.keys(body).length === 0) return [];
  const lines = stringify(body).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Replaces every value of data and stringData with a placeholder: its size in bytes, so a
 * changed size still shows as a changed line; and, only when both sides hold a key with values of
 * the same size that differ, the first 8 hex digits of their SHA-256, so that change shows too.
 * A hash of a short secret can be checked against guesses, so it is shown only where needed.
 */
function hideSecretValues(virtual: KubeJson | undefined, host: KubeJson | undefined): [KubeJson | undefined, KubeJson | undefined] {
  const hidden: [KubeJson | undefined, KubeJson | undefined] = [virtual && { ...virtual }, host && { ...host }];
  for (const field of ['data', 'stringData'] as const) {
    // data holds base64; stringData plain text. Both are compared as the bytes the pod sees.
    const encoding = field === 'data' ? 'base64' : 'utf8';
    const virtualBytes = secretBytes(virtual?.[field], encoding);
    const hostBytes = secretBytes(host?.[field], encoding);
    const placeholders = (own: Map<string, Buffer | undefined>, other: Map<string, Buffer | undefined>) => {
      const result: Record<string, string> = {};
      for (const [key, bytes] of own) {
        const otherBytes = other.get(key);
        if (!bytes) result[key] = '<hidden>';
        else if (otherBytes && otherBytes.length === bytes.length && !otherBytes.equals(bytes)) result[key] = `<hidden: ${bytes.length} bytes, sha256 ${shortHash(bytes)}>`;
        else result[key] = `<hidden: ${bytes.length} bytes>`;
      }
      return result;
    };
    if (hidden[0] && virtual && field in virtual) hidden[0][field] = isRecord(virtual[field]) ? placeholders(virtualBytes, hostBytes) : '<hidden>';
    if (hidden[1] && host && field in host) hidden[1][field] = isRecord(host[field]) ? placeholders(hostBytes, virtualBytes) : '<hidden>';
  }
  return hidden;
}

/** Each key's value as bytes; undefined for a value that is not a string (hidden without a size). */
function secretBytes(values: unknown, encoding: 'base64' | 'utf8'): Map<string, Buffer | undefined> {
  const bytes = new Map<string, Buffer | undefined>();
  if (!isRecord(values)) return bytes;
  for (const [key, value] of Object.entries(values)) bytes.set(key, typeof value === 'string' ? Buffer.from(value, encoding) : undefined);
  return bytes;
}

function shortHash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 8);
}
