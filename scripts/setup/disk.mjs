// A cold build writes gigabytes (Go's module and build caches, the binaries, code-server) under
// the cache root; checking free space first turns a build that would die half-way with ENOSPC
// into one line saying how much is needed.
import { statfsSync } from 'node:fs';
import { SetupProblem } from './errors.mjs';

const GIB = 1024 ** 3;

export function freeBytes(path) {
  const stats = statfsSync(path);
  return Number(stats.bavail) * Number(stats.bsize);
}

/** Throws when the file system of `path` has less than `neededBytes` free for `what`. */
export function checkFreeSpace(path, neededBytes, what, free = freeBytes(path)) {
  if (free >= neededBytes) return free;
  throw new SetupProblem(`Not enough disk space for ${what}: about ${(neededBytes / GIB).toFixed(1)} GiB is needed under ${path}, ${(free / GIB).toFixed(1)} GiB is free. Free some space, or set VCLUSTER_VSCODE_CACHE to a folder on a disk with room, and run again.`);
}

export { GIB };
