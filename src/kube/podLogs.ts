import { StringDecoder } from 'node:string_decoder';
import type { KubeClient } from './client';
import { describeKubeError } from './errors';
import { sleep } from './watch';

/**
 * A container's log as `kubectl logs [-f] [--previous]` reads it, for an editor tab: lines decoded
 * across chunk boundaries, cleaned of what an editor should not show, kept in a bounded buffer,
 * and a follow that reconnects when the API server cuts the stream (from the last line's time,
 * without repeating lines).
 */

export interface PodLogTarget {
  namespace: string;
  pod: string;
  container: string;
  /** The run before the last restart (`--previous`); never followed. */
  previous?: boolean;
}

/** How many lines a log tab keeps; older ones are dropped with a note (the bound). */
export const MAX_LOG_LINES = 10_000;
/** A longer line is cut here (a minified JSON blob in a log would otherwise stall the editor). */
export const MAX_LINE_LENGTH = 16_384;
/** Lines read when a log is opened: the tail, as `kubectl logs --tail`, so a huge log opens at once. */
export const INITIAL_TAIL_LINES = MAX_LOG_LINES;

/** The last MAX_LOG_LINES lines, and how many older ones were dropped. */
export class LogBuffer {
  private lines: string[] = [];
  private droppedCount = 0;

  constructor(private readonly maxLines = MAX_LOG_LINES) {}

  get dropped(): number {
    return this.droppedCount;
  }

  get lineCount(): number {
    return this.lines.length;
  }

  append(lines: readonly string[]): void {
    this.lines.push(...lines);
    const excess = this.lines.length - this.maxLines;
    if (excess > 0) {
      this.lines.splice(0, excess);
      this.droppedCount += excess;
    }
  }

  /** The tab's text: a note first when lines were dropped, then the lines kept. */
  text(notes: readonly string[] = []): string {
    const header = this.droppedCount > 0 ? [`[${this.droppedCount.toLocaleString('en-US')} earlier lines dropped: this tab keeps the last ${this.maxLines.toLocaleString('en-US')}]`] : [];
    return [...header, ...this.lines, ...notes].join('\n');
  }
}

/**
 * Splits a byte stream into lines: UTF-8 decoded across chunk boundaries (a character split
 * between two chunks is not garbled), bytes that are not UTF-8 become U+FFFD, colour codes are
 * removed, other control characters but tab are shown as U+FFFD (binary output must not drive the
 * editor), and a line longer than MAX_LINE_LENGTH is cut with a note.
 */
export class LogLineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  push(chunk: Buffer): string[] {
    return this.split(this.partial + this.decoder.write(chunk));
  }

  /** The rest at the end of the stream (a last line without a newline). */
  end(): string[] {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest === '' ? [] : [cleanLogLine(rest)];
  }

  private split(text: string): string[] {
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    if (this.partial.length > MAX_LINE_LENGTH * 4) {
      // A "line" that never ends (binary, or one enormous line): show what came so far.
      parts.push(this.partial);
      this.partial = '';
    }
    return parts.map(cleanLogLine);
  }
}

/** ANSI escape sequences (colours, cursor moves): the syncer colours its levels; an editor shows them as noise. */
// eslint-disable-next-line no-control-regex -- the escape character is what starts them
const ANSI_SEQUENCE = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/** One line as a log tab shows it: colours removed, other control characters as U+FFFD, bounded length. */
export function cleanLogLine(line: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
  const clean = line.replace(/\r$/, '').replace(ANSI_SEQUENCE, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '\ufffd');
  return clean.length > MAX_LINE_LENGTH ? `${clean.slice(0, MAX_LINE_LENGTH)} … [line cut: ${clean.length.toLocaleString('en-US')} characters]` : clean;
}

/** `2026-12-07T10:00:00.123456789Z message`: the API server's `timestamps=true` prefix. */
const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) (.*)$/s;

export function splitTimestamp(line: string): { time?: string; text: string } {
  const match = TIMESTAMP.exec(line);
  return match ? { time: match[1], text: match[2] ?? '' } : { text: line };
}

/**
 * The last `tailLines` lines of a container's log, cleaned as a tab shows them, without following
 * (`kubectl logs --tail`): what "Why is this not synced?" searches for lines naming an object.
 */
export async function readPodLogTail(client: KubeClient, target: PodLogTarget, tailLines: number, signal: AbortSignal): Promise<string[]> {
  const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/log`;
  const response = await client.openStream(path, { query: { container: target.container, tailLines: String(tailLines), ...(target.previous ? { previous: 'true' } : {}) }, accept: '*/*' }, signal);
  const splitter = new LogLineSplitter();
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    response.on('data', (chunk: Buffer) => lines.push(...splitter.push(chunk)));
    response.on('end', () => resolve());
    response.on('close', () => resolve());
    response.on('error', reject);
  });
  lines.push(...splitter.end());
  return lines;
}

export interface FollowHandlers {
  lines(lines: string[]): void;
  /** A line for the reader about the stream itself (cut and reconnecting, the pod gone). */
  note(message: string): void;
}

export interface FollowOptions {
  /** Reconnect delays after the server cuts the stream (defaults: 1 s doubling to 10 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Bound on the API server's answer to each (re)connect. */
  requestTimeoutMs?: number;
}

/**
 * Reads the log and, unless it is `previous`, follows it until `signal` aborts. When the stream
 * ends while following (the API server's or kubelet's limit, a restart of either), it reconnects
 * with `sinceTime` of the last line and skips the lines already shown; a pod that is gone ends it
 * with a note. Resolves when it stops.
 */
export async function followPodLog(client: KubeClient, target: PodLogTarget, handlers: FollowHandlers, signal: AbortSignal, options: FollowOptions = {}): Promise<void> {
  const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/log`;
  const follow = !target.previous;
  const initialBackoffMs = options.initialBackoffMs ?? 1_000;
  const maxBackoffMs = options.maxBackoffMs ?? 10_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  /** The time of the last line shown, and how many times each text was shown at that time. */
  let lastTime: string | undefined;
  let shownAtLastTime = new Map<string, number>();
  let backoffMs = initialBackoffMs;
  let reconnecting = false;
  /** Set once a reconnect has failed: only then is the reader told (a cut healed at once is routine). */
  let toldCut = false;

  while (!signal.aborted) {
    const query: Record<string, string | undefined> = {
      container: target.container,
      timestamps: 'true',
      ...(target.previous ? { previous: 'true' } : {}),
      ...(follow ? { follow: 'true' } : {}),
      ...(lastTime ? { sinceTime: lastTime.replace(/\.\d+/, '') } : { tailLines: String(INITIAL_TAIL_LINES) }),
    };
    let answered = false;
    try {
      // The bound is on the API server's answer (its headers), not on the stream: the request
      // keeps this signal for its whole life, so a plain AbortSignal.timeout would cut every
      // followed log after requestTimeoutMs (it did: every 15 s, found by `npm run bench -- logs`)
      // and keep the closed tab's buffer reachable until it fired.
      const connectBound = new AbortController();
      const connectTimer = setTimeout(() => connectBound.abort(new DOMException(`no answer within ${requestTimeoutMs} ms`, 'TimeoutError')), requestTimeoutMs);
      let response: Awaited<ReturnType<KubeClient['openStream']>>;
      try {
        response = await client.openStream(path, { query, accept: '*/*' }, AbortSignal.any([signal, connectBound.signal]));
      } finally {
        clearTimeout(connectTimer);
      }
      answered = true;
      if (toldCut) handlers.note('[log stream reconnected]');
      reconnecting = false;
      toldCut = false;
      backoffMs = initialBackoffMs;
      const splitter = new LogLineSplitter();
      // A reconnect asks from the last line's second (sinceTime has no finer unit), so the server
      // sends again what was shown since then: skip exactly that — earlier lines, and at the last
      // line's time as many of each text as were shown (a log repeats lines within one instant).
      const resumeAfter = lastTime;
      const toSkip = new Map(shownAtLastTime);
      // Lines reach the handlers a tick later, in one batch per tick: never from inside the
      // stream's own events (a handler that aborts there would make Node throw), and a fast log
      // costs one update per tick instead of one per chunk.
      let pending: string[] = [];
      let flushScheduled = false;
      const flush = () => {
        flushScheduled = false;
        if (pending.length === 0 || signal.aborted) return;
        const batch = pending;
        pending = [];
        handlers.lines(batch);
      };
      const take = (rawLines: string[]) => {
        const shown: string[] = [];
        for (const raw of rawLines) {
          const { time, text } = splitTimestamp(raw);
          if (time && resumeAfter && time < resumeAfter) continue;
          if (time && time === resumeAfter && (toSkip.get(text) ?? 0) > 0) {
            toSkip.set(text, toSkip.get(text)! - 1);
            continue;
          }
          if (time && time !== lastTime) {
            lastTime = time;
            shownAtLastTime = new Map();
          }
          if (time) shownAtLastTime.set(text, (shownAtLastTime.get(text) ?? 0) + 1);
          shown.push(text);
        }
        if (shown.length === 0) return;
        pending.push(...shown);
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      };
      await new Promise<void>((resolve, reject) => {
        response.on('data', (chunk: Buffer) => take(splitter.push(chunk)));
        response.on('end', () => resolve());
        response.on('error', (error) => (signal.aborted ? resolve() : reject(error)));
        response.on('close', () => resolve());
      });
      take(splitter.end());
      flush();
      if (!follow || signal.aborted) return;
      // The server ended the stream (its own limit, a restart, the log file rotated): pick it up
      // again from the last line; the reader hears of it only if that does not work at once.
      reconnecting = true;
    } catch (error) {
      if (signal.aborted) return;
      const described = describeKubeError(error, Math.round(requestTimeoutMs / 1000));
      if (described.kind === 'notFound') {
        handlers.note(`[pod ${target.namespace}/${target.pod} is gone: the log ends here]`);
        return;
      }
      // The first connect failing is the caller's to report (no log to show at all).
      if (!follow || (!answered && !reconnecting)) throw error;
      // A stream cut after it was open is picked up again quietly, like one the server ended; a
      // reconnect that fails is worth a line in the tab, once until it works again.
      if (!answered && !toldCut) {
        handlers.note(`[log stream cut (${described.message}); reconnecting…]`);
        toldCut = true;
      }
      reconnecting = true;
    }
    await sleep(backoffMs, signal).catch(() => undefined);
    backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
  }
}
