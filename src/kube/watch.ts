import type { IncomingMessage } from 'node:http';
import type { KubeClient } from './client';
import { isKubeApiError } from './errors';

/**
 * List-then-watch of one collection, as client-go's reflector does it: list (in pages), watch
 * from the list's resourceVersion with bookmarks, re-watch from the last version seen when a
 * stream ends or fails, relist when that version is too old (410 Gone). Every wait is bounded,
 * retries back off exponentially, and aborting the signal ends it all with nothing left running.
 */

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** What a list item or watched object looks like before the caller makes it its own. */
export interface RawObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface WatchHandlers {
  /** A fresh, complete list: replaces everything known so far. */
  onRelist(items: RawObject[], resourceVersion: string): void;
  onEvent(type: WatchEventType, object: RawObject): void;
  /** A watch stream is open (the server answered 200): the data is live again. */
  onWatching?(): void;
  /** A list or watch failed; it is retried after `retryInMs`. */
  onError?(error: unknown, retryInMs: number): void;
}

export interface WatchOptions {
  /** Query parameters for both the list and the watch (labelSelector, fieldSelector). */
  query?: Record<string, string | undefined>;
  /**
   * Ask for metadata only (PartialObjectMetadata): objects carry no spec, status or data — much
   * less to transfer and keep. A server that refuses it (406) gets full objects instead, unless
   * 'required': then nothing else is offered (METADATA_ONLY_*_ACCEPT) and a 406 is an error like
   * any other. Secrets are read 'required': their data must never be asked for.
   */
  metadataOnly?: boolean | 'required';
  /** First retry delay; doubled per consecutive failure up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Bound on each list page and on waiting for a watch's response headers. */
  requestTimeoutMs?: number;
  /** The server ends each watch after this many seconds (client-go uses 5–10 minutes). */
  watchTimeoutSeconds?: number;
  /** Items per list page. */
  pageSize?: number;
}

const METADATA_ACCEPT = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json;as=PartialObjectMetadataList;v=v1beta1;g=meta.k8s.io,application/json';
const METADATA_WATCH_ACCEPT = 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io,application/json;as=PartialObjectMetadata;v=v1beta1;g=meta.k8s.io,application/json';
/**
 * Metadata only and nothing else: no plain `application/json` to fall back on, so a server that
 * cannot answer so refuses (406) rather than sending whole objects. For lists and for watches.
 */
export const METADATA_ONLY_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
export const METADATA_ONLY_WATCH_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
/** One watch event larger than this ends the stream rather than filling memory. */
const MAX_LINE_CHARS = 64 * 1024 * 1024;
/** Slack over the server's own watch timeout before the client gives up on a silent stream. */
const WATCH_GRACE_MS = 30_000;

/** The resourceVersion is too old (etcd compacted it): only a fresh list can continue. */
export class WatchExpiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WatchExpiredError';
  }
}

/**
 * Lists `path` and keeps watching it until `signal` aborts; resolves then (never rejects).
 * Failures are reported through `onError` and retried with exponential backoff.
 */
export async function watchList(client: KubeClient, path: string, options: WatchOptions, handlers: WatchHandlers, signal: AbortSignal): Promise<void> {
  const initialBackoffMs = options.initialBackoffMs ?? 250;
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const metadataRequired = options.metadataOnly === 'required';
  let metadataOnly = options.metadataOnly === true || metadataRequired;
  const accept = (): { list?: string; watch?: string } => {
    if (!metadataOnly) return {};
    return metadataRequired ? { list: METADATA_ONLY_LIST_ACCEPT, watch: METADATA_ONLY_WATCH_ACCEPT } : { list: METADATA_ACCEPT, watch: METADATA_WATCH_ACCEPT };
  };
  let resourceVersion: string | undefined;
  let failures = 0;
  let expiredInRow = 0;
  const backoff = () => Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.min(failures - 1, 30));

  while (!signal.aborted) {
    try {
      if (resourceVersion === undefined) {
        const listed = await listAll(client, path, options, accept().list, requestTimeoutMs, signal);
        if (signal.aborted) break;
        resourceVersion = listed.resourceVersion;
        handlers.onRelist(listed.items, listed.resourceVersion);
        failures = 0;
        expiredInRow = 0;
      }
      const outcome = await watchOnce(client, path, options, accept().watch, resourceVersion, requestTimeoutMs, signal, {
        onVersion: (version) => {
          resourceVersion = version;
        },
        onEvent: handlers.onEvent,
        onWatching: () => {
          handlers.onWatching?.();
        },
      });
      if (signal.aborted) break;
      // A stream that delivered something, or ran its course, was healthy: reconnect at once.
      // One that ended empty-handed right away counts as a failure, so a server that keeps
      // closing streams is not hammered.
      if (outcome.healthy) {
        failures = 0;
        continue;
      }
      failures++;
      const delay = backoff();
      handlers.onError?.(new Error(`the watch of ${path} ended without events after ${outcome.durationMs} ms`), delay);
      await sleep(delay, signal);
    } catch (error) {
      if (signal.aborted) break;
      if (error instanceof WatchExpiredError || (isKubeApiError(error) && error.status === 410)) {
        // Relist at once: waiting would not make the version any less old. Only a server that
        // keeps answering 410 to fresh lists too is waited for, like any other failure.
        resourceVersion = undefined;
        if (++expiredInRow === 1) continue;
      } else if (metadataOnly && !metadataRequired && isKubeApiError(error) && error.status === 406) {
        metadataOnly = false;
        continue;
      }
      failures++;
      const delay = backoff();
      handlers.onError?.(error, delay);
      await sleep(delay, signal);
    }
  }
}

interface ListResult {
  items: RawObject[];
  resourceVersion: string;
}

async function listAll(client: KubeClient, path: string, options: WatchOptions, accept: string | undefined, requestTimeoutMs: number, signal: AbortSignal): Promise<ListResult> {
  const items: RawObject[] = [];
  let continueToken: string | undefined;
  let resourceVersion = '';
  do {
    const page = await client.request<{ items?: RawObject[]; metadata?: { resourceVersion?: string; continue?: string } }>('GET', path, {
      query: { ...options.query, limit: String(options.pageSize ?? 500), continue: continueToken },
      ...(accept ? { accept } : {}),
    }, AbortSignal.any([signal, AbortSignal.timeout(requestTimeoutMs)]));
    items.push(...(page?.items ?? []));
    resourceVersion = page?.metadata?.resourceVersion ?? resourceVersion;
    continueToken = page?.metadata?.continue || undefined;
  } while (continueToken);
  return { items, resourceVersion };
}

interface WatchCallbacks {
  onVersion(resourceVersion: string): void;
  onEvent(type: WatchEventType, object: RawObject): void;
  onWatching(): void;
}

/**
 * One watch request, read line by line until the server ends it, it fails, or `signal` aborts.
 * Rejects with WatchExpiredError on an ERROR event with code 410.
 */
async function watchOnce(client: KubeClient, path: string, options: WatchOptions, accept: string | undefined, resourceVersion: string, requestTimeoutMs: number, signal: AbortSignal, callbacks: WatchCallbacks): Promise<{ healthy: boolean; durationMs: number }> {
  const started = Date.now();
  const timeoutSeconds = options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
  // One controller per attempt: it bounds waiting for headers and the whole stream, and
  // follows the caller's signal.
  const attempt = new AbortController();
  const follow = () => attempt.abort(signal.reason);
  signal.addEventListener('abort', follow, { once: true });
  const headersTimer = setTimeout(() => attempt.abort(new DOMException(`no answer to the watch of ${path} within ${requestTimeoutMs} ms`, 'TimeoutError')), requestTimeoutMs);
  const streamTimer = setTimeout(() => attempt.abort(new DOMException(`the watch of ${path} outlived its ${timeoutSeconds} s timeout`, 'TimeoutError')), timeoutSeconds * 1000 + WATCH_GRACE_MS);
  let response: IncomingMessage | undefined;
  try {
    response = await client.openStream(path, {
      query: { ...options.query, watch: '1', resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: String(timeoutSeconds) },
      ...(accept ? { accept } : {}),
    }, attempt.signal);
    clearTimeout(headersTimer);
    callbacks.onWatching();
    let delivered = false;
    await readLines(response, attempt.signal, (line) => {
      const event = parseEvent(line, path);
      if (!event) return;
      if (event.type === 'ERROR') {
        const status = event.object as { code?: number; message?: string; reason?: string };
        const message = status.message ?? `the watch of ${path} reported an error`;
        if (status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone') throw new WatchExpiredError(message);
        throw new Error(`${message}${status.code ? ` (${status.code})` : ''}`);
      }
      const version = event.object.metadata?.resourceVersion;
      if (version) callbacks.onVersion(version);
      if (event.type === 'BOOKMARK') return;
      delivered = true;
      callbacks.onEvent(event.type, event.object);
    });
    const durationMs = Date.now() - started;
    return { healthy: delivered || durationMs >= 1000, durationMs };
  } catch (error) {
    // Our own time bounds: say which, rather than node's generic "The operation was aborted".
    if (attempt.signal.aborted && !signal.aborted && attempt.signal.reason instanceof Error) throw attempt.signal.reason;
    throw error;
  } finally {
    clearTimeout(headersTimer);
    clearTimeout(streamTimer);
    signal.removeEventListener('abort', follow);
    attempt.abort();
    response?.destroy();
  }
}

type ParsedEvent = { type: WatchEventType | 'BOOKMARK' | 'ERROR'; object: RawObject };

function parseEvent(line: string, path: string): ParsedEvent | undefined {
  if (line.trim() === '') return undefined;
  let parsed: { type?: unknown; object?: unknown };
  try {
    parsed = JSON.parse(line) as { type?: unknown; object?: unknown };
  } catch {
    throw new Error(`the watch of ${path} sent a line that is not JSON`);
  }
  const { type, object } = parsed;
  if (typeof type !== 'string' || !object || typeof object !== 'object') throw new Error(`the watch of ${path} sent an event without type or object`);
  if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED' && type !== 'BOOKMARK' && type !== 'ERROR') return undefined;
  return { type, object: object as RawObject };
}

/**
 * Calls `onLine` for each newline-terminated line of the response; resolves when it ends, rejects
 * when it fails, is aborted, or `onLine` throws (the stream is then destroyed).
 */
function readLines(response: IncomingMessage, signal: AbortSignal, onLine: (line: string) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let buffer = '';
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (error === undefined) {
        resolve();
        return;
      }
      response.destroy();
      reject(error);
    };
    const onAbort = () => finish(signal.reason ?? new DOMException('aborted', 'AbortError'));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      if (settled) return;
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      try {
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          onLine(line);
          if (settled) return;
          newline = buffer.indexOf('\n');
        }
      } catch (error) {
        finish(error);
        return;
      }
      if (buffer.length > MAX_LINE_CHARS) finish(new Error(`a watch event larger than ${MAX_LINE_CHARS} characters`));
    });
    response.on('error', (error) => finish(error));
    response.on('end', () => {
      try {
        if (buffer.trim() !== '') onLine(buffer);
      } catch (error) {
        finish(error);
        return;
      }
      finish();
    });
    // A socket closed without 'end' (reset mid-stream).
    response.on('close', () => {
      if (!response.complete) finish(new Error('the watch stream was cut off'));
      else finish();
    });
  });
}

/** Waits `ms`, or less when `signal` aborts; leaves no timer behind either way. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
