import type { RawObject, WatchHandlers } from './watch';

/** A watch that has failed this many times in a row counts as down, even after it once listed. */
export const FAILURES_BEFORE_DOWN = 3;

/**
 * The objects of one list-then-watch (watchList), kept by namespace/name, and how that watch is
 * doing: listed yet, failures in a row, the last error. The live models (a host's vClusters, a
 * vCluster's mapping) hold one per watched resource and read them together.
 */
export class WatchedCollection<T> {
  objects = new Map<string, T>();
  listed = false;
  failures = 0;
  lastError: unknown;

  constructor(private readonly toObject: (raw: RawObject) => T, private readonly keyOf: (object: T) => string) {}

  /** Down: failing before its first list, or failing again and again after it. */
  get isDown(): boolean {
    return (!this.listed && this.failures > 0) || this.failures >= FAILURES_BEFORE_DOWN;
  }

  /** Counts as listed and empty: a resource the server does not serve, or hides from us. */
  markUnavailable(): void {
    this.objects.clear();
    this.listed = true;
    this.recovered();
  }

  /**
   * Handlers for watchList that keep this collection. `isCurrent` guards against a stopped
   * run's late events; `changed` is told after every change that may matter; `failed` after a
   * failure has been counted (it may log, or decide to give up on this resource).
   */
  handlers(isCurrent: () => boolean, changed: () => void, failed: (error: unknown, retryInMs: number) => void): WatchHandlers {
    return {
      onRelist: (items) => {
        if (!isCurrent()) return;
        this.objects = new Map(items.map((item) => {
          const object = this.toObject(item);
          return [this.keyOf(object), object];
        }));
        this.listed = true;
        this.recovered();
        changed();
      },
      onEvent: (type, item) => {
        if (!isCurrent()) return;
        const object = this.toObject(item);
        if (type === 'DELETED') this.objects.delete(this.keyOf(object));
        else this.objects.set(this.keyOf(object), object);
        changed();
      },
      onWatching: () => {
        if (!isCurrent() || this.failures === 0) return;
        this.recovered();
        changed();
      },
      onError: (error, retryInMs) => {
        if (!isCurrent()) return;
        failed(error, retryInMs);
      },
    };
  }

  /** Counts a failure (called by the owner's `failed`, unless it gives up on the resource). */
  countFailure(error: unknown): void {
    this.failures++;
    this.lastError = error;
  }

  private recovered(): void {
    this.failures = 0;
    this.lastError = undefined;
  }
}
