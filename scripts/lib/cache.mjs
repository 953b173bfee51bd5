// Where set-up scripts keep what they build or install: outside the repository, keyed by
// version, so a fresh clone on a warm machine reuses it and nothing fetched is ever committed.
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheRoot() {
  const base = process.env.VCLUSTER_VSCODE_CACHE
    ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vcluster-vscode');
  mkdirSync(base, { recursive: true });
  return base;
}

export function cacheDir(...parts) {
  const dir = join(cacheRoot(), ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Prints a step with its duration, so slow set-up is visible in CI logs. */
export async function step(label, fn) {
  const started = Date.now();
  process.stdout.write(`[setup] ${label} ...\n`);
  try {
    const result = await fn();
    process.stdout.write(`[setup] ${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return result;
  } catch (error) {
    process.stdout.write(`[setup] ${label}: FAILED after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    throw error;
  }
}
