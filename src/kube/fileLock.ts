import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Read-modify-write of a kubeconfig that others share. Two guards:
 *
 * - kubectl's own lock: client-go creates `<file>.lock` with O_CREATE|O_EXCL before it writes a
 *   kubeconfig and removes it after (tools/clientcmd/loader.go, lockFile). Taking the same lock
 *   keeps `kubectl config …` in a terminal and every other window of this extension out while we
 *   write, and us out while they do.
 * - a queue per file inside this process, so two of our own writes never interleave (the lock
 *   file alone would make the second one wait on the first by polling).
 *
 * A lock older than `staleMs` is taken to be left by a process that died (kubectl never holds
 * it for more than a write); a lock that is not released within `timeoutMs` is an error that
 * names the file, so nothing waits for ever.
 */
export interface FileLockOptions {
  timeoutMs?: number;
  staleMs?: number;
  pollMs?: number;
}

export class FileLockTimeoutError extends Error {
  constructor(readonly lockPath: string, timeoutMs: number) {
    super(`${lockPath} has been held for over ${Math.round(timeoutMs / 1000)} s (by kubectl or another window); if nothing is writing that kubeconfig, remove the lock file and try again.`);
    this.name = 'FileLockTimeoutError';
  }
}

const queues = new Map<string, Promise<unknown>>();

export async function withFileLock<T>(path: string, action: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => underLockFile(path, action, options));
  const tail = run.catch(() => undefined);
  queues.set(path, tail);
  try {
    return await run;
  } finally {
    // The last in the queue tidies its entry, so the map does not grow with every file ever written.
    if (queues.get(path) === tail) queues.delete(path);
  }
}

async function underLockFile<T>(path: string, action: () => Promise<T>, options: FileLockOptions): Promise<T> {
  const { timeoutMs = 10_000, staleMs = 30_000, pollMs = 25 } = options;
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await (await open(lockPath, 'wx', 0o600)).close();
      break;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // No folder yet: made as the write would make it, then the lock is taken in it.
      if (code === 'ENOENT') {
        await mkdir(dirname(path), { recursive: true, mode: 0o700 });
        continue;
      }
      if (code !== 'EEXIST') throw error;
    }
    const held = await stat(lockPath).catch(() => undefined);
    if (held && Date.now() - held.mtimeMs > staleMs) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() >= deadline) throw new FileLockTimeoutError(lockPath, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, pollMs + Math.random() * pollMs));
  }
  try {
    return await action();
  } finally {
    await rm(lockPath, { force: true });
  }
}
