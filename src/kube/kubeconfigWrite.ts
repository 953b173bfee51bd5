import { randomBytes } from 'node:crypto';
import * as nodeFileSystem from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The file operations writeFileAtomically performs, so a test can inject a fault between any two of them. */
export interface AtomicWriteFileSystem {
  mkdir(path: string, options: { recursive: true; mode: number }): Promise<unknown>;
  open(path: string, flags: 'wx', mode: number): Promise<AtomicWriteFileHandle>;
  chmod(path: string, mode: number): Promise<void>;
  rename(oldPath: string, newPath: string): Promise<void>;
  rm(path: string, options: { force: true }): Promise<void>;
}

export interface AtomicWriteFileHandle {
  writeFile(data: string, encoding: 'utf8'): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Writes a kubeconfig the only safe way: to a temporary file beside it (at most 0600 from the
 * start, so the credentials are never readable by others even for a moment), flushed to disk,
 * then renamed over the target. A crash at any point leaves either the old file or the new one,
 * never half of either.
 */
export async function writeFileAtomically(path: string, text: string, fileSystem: AtomicWriteFileSystem = nodeFileSystem, mode = 0o600): Promise<void> {
  await fileSystem.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fileSystem.open(temporary, 'wx', mode & 0o600);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    // Created at most 0600 (never readable by others while being written), then given its mode:
    // 0600 for our files; the user's own file keeps the mode it had (e.g. 0640).
    await fileSystem.chmod(temporary, mode);
    await fileSystem.rename(temporary, path);
  } catch (error) {
    // Whatever failed (a full disk mid-write, EIO on sync, EACCES on rename), nothing is left beside the file.
    await fileSystem.rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}
