// Progress for long set-up: every step is announced as `[setup n/m] what`, with its elapsed time
// and an estimate taken from the last time that step really did its work on this machine (kept in
// the cache), so a cold build that takes minutes never looks like a hang. While any step runs, a
// heartbeat line says what is still running at least every 15 s. Steps may run side by side.
// Plain Node, no dependencies: this runs before `npm ci` has installed anything.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

/** "4 m 05 s", "12.3 s": durations a person reads at a glance. */
export function formatDuration(ms) {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} m ${String(whole % 60).padStart(2, '0')} s`;
}

/**
 * The durations recorded by earlier runs: `{ [stepKey]: { seconds, recordedAt, cpus } }` in a JSON
 * file of the cache. A damaged file counts as empty; writes are atomic (temp file, rename).
 */
export class StepTimings {
  constructor(file) {
    this.file = file;
    this.entries = {};
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) this.entries = parsed;
    } catch {
      // none yet, or damaged: estimates fall back to the typical figures
    }
  }

  /** Seconds the step took when it last did its work here, or undefined. */
  recorded(key) {
    const entry = this.entries[key];
    return entry && Number.isFinite(entry.seconds) && entry.seconds > 0 ? entry.seconds : undefined;
  }

  record(key, seconds) {
    this.save(key, { seconds: Math.round(seconds * 10) / 10 });
  }

  /** A count recorded by an earlier run (such as how many packages a cold build compiled). */
  recordedCount(key) {
    const entry = this.entries[key];
    return entry && Number.isFinite(entry.count) && entry.count > 0 ? entry.count : undefined;
  }

  recordCount(key, count) {
    this.save(key, { count });
  }

  save(key, value) {
    this.entries[key] = { ...value, recordedAt: new Date().toISOString(), cpus: cpus().length };
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, `${JSON.stringify(this.entries, null, 2)}\n`);
      renameSync(temp, this.file);
    } catch {
      // A record we cannot write only costs a later estimate.
      rmSync(temp, { force: true });
    }
  }
}

/** The estimate shown for a step: this machine's last real run, else the typical figure given. */
export function estimateFor(timings, key, typicalSeconds) {
  const recorded = timings.recorded(key);
  if (recorded !== undefined) return { seconds: recorded, source: 'last cold run here' };
  if (typicalSeconds !== undefined) return { seconds: typicalSeconds, source: 'typical on 2 cores' };
  return undefined;
}

export class SetupProgress {
  /**
   * @param {{ total: number, timings: StepTimings, write?: (line: string) => void, heartbeatMs?: number, now?: () => number }} options
   */
  constructor(options) {
    this.total = options.total;
    this.timings = options.timings;
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.now = options.now ?? (() => Date.now());
    this.started = this.now();
    this.next = 1;
    /** @type {Map<number, { label: string, started: number, estimate?: { seconds: number, source: string }, detail?: string }>} */
    this.running = new Map();
    this.timer = undefined;
  }

  prefix(index) {
    return `[setup ${index}/${this.total}]`;
  }

  /**
   * Runs one step. `run(task)` does the work; it calls `task.working(detail, estimate)` once it
   * knows there is real work (a cold build, an install), and again when what it does changes. The
   * estimate is `{ key, typicalSeconds }` (looked up in the timings; the step's duration is recorded
   * under `key` when it ends) or `{ seconds, source }` as given. A step that never calls `working`
   * was already done and says so in one line.
   * @template T
   * @param {string} label
   * @param {(task: { working: (detail: string, estimate?: { key?: string, typicalSeconds?: number, seconds?: number, source?: string }) => void, note: (text: string) => void, setDetail: (detail: string) => void }) => Promise<T>} run
   * @returns {Promise<T>}
   */
  async step(label, run) {
    const index = this.next++;
    const entry = { label, started: this.now() };
    const found = [];
    let recordKey;
    const task = {
      working: (detail, estimate) => {
        entry.detail = detail;
        if (estimate?.key) recordKey = estimate.key;
        if (estimate) {
          entry.estimate = estimate.seconds !== undefined
            ? { seconds: estimate.seconds, source: estimate.source ?? 'estimated' }
            : estimateFor(this.timings, estimate.key, estimate.typicalSeconds);
        }
        const about = estimate && entry.estimate ? ` (about ${formatDuration(entry.estimate.seconds * 1000)}, ${entry.estimate.source})` : '';
        this.write(`${this.prefix(index)} ${label}: ${detail}${about} …`);
        if (!this.running.has(index)) {
          this.running.set(index, entry);
          this.ensureHeartbeat();
        }
      },
      // A step with nothing to do says what it found in its one closing line; one at work says it at once.
      note: (text) => {
        if (this.running.has(index)) this.write(`${this.prefix(index)} ${label}: ${text}`);
        else found.push(text);
      },
      /** What the heartbeat says the step is doing, without a line of its own. */
      setDetail: (detail) => {
        entry.detail = detail;
      },
    };
    try {
      const result = await run(task);
      const elapsed = this.now() - entry.started;
      if (this.running.has(index)) {
        if (recordKey) this.timings.record(recordKey, elapsed / 1000);
        this.write(`${this.prefix(index)} ${label}: done in ${formatDuration(elapsed)}`);
      } else {
        this.write(`${this.prefix(index)} ${label}: ${found.length > 0 ? found.join('; ') : 'ok'}${elapsed >= 100 ? ` (${formatDuration(elapsed)})` : ''}`);
      }
      return result;
    } catch (error) {
      this.write(`${this.prefix(index)} ${label}: FAILED after ${formatDuration(this.now() - entry.started)}`);
      throw error;
    } finally {
      this.running.delete(index);
      if (this.running.size === 0) this.stopHeartbeat();
    }
  }

  /** The heartbeat's lines: each running step with its elapsed time and what is left of the estimate. */
  heartbeatLines() {
    const now = this.now();
    return [...this.running.entries()].map(([index, entry]) => {
      const elapsed = now - entry.started;
      let left = '';
      if (entry.estimate) {
        const remaining = entry.estimate.seconds * 1000 - elapsed;
        left = remaining > 0
          ? `, about ${formatDuration(remaining)} left`
          : `, longer than the ${formatDuration(entry.estimate.seconds * 1000)} estimated`;
      }
      return `${this.prefix(index)} ${entry.label}: still ${entry.detail ?? 'working'}, ${formatDuration(elapsed)}${left} (set-up ${formatDuration(now - this.started)})`;
    });
  }

  ensureHeartbeat() {
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const line of this.heartbeatLines()) this.write(line);
    }, this.heartbeatMs);
    // The heartbeat never keeps the process alive on its own.
    this.timer.unref?.();
  }

  stopHeartbeat() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  elapsed() {
    return this.now() - this.started;
  }
}

/** Where the timings of one cache live. */
function timingsFile(cacheRoot) {
  return join(cacheRoot, 'setup-timings.json');
}

export function loadTimings(cacheRoot) {
  return new StepTimings(timingsFile(cacheRoot));
}
