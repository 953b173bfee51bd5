// The project's npm dependencies: installed with `npm ci` when node_modules is missing or was
// installed from another package-lock.json. A stamp in node_modules records the lock file's hash
// after a complete install, so an interrupted `npm ci` is never taken for a finished one.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SetupProblem } from './errors.mjs';
import { runProgram, tailLines } from './system.mjs';

const STAMP = '.vcluster-vscode-setup.json';

function lockHash(root) {
  return createHash('sha256').update(readFileSync(join(root, 'package-lock.json'))).digest('hex');
}

function mtimeMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Whether node_modules matches package-lock.json: by our stamp, or (installed by hand with
 * `npm ci`/`npm install`) by npm's own hidden lock file being at least as new as package-lock.json.
 */
export function npmDependenciesCurrent(root) {
  const modules = join(root, 'node_modules');
  if (!existsSync(modules)) return { current: false, reason: 'node_modules is missing' };
  const hash = lockHash(root);
  try {
    const stamp = JSON.parse(readFileSync(join(modules, STAMP), 'utf8'));
    if (stamp.lockHash === hash) return { current: true };
    return { current: false, reason: 'package-lock.json changed since the last install' };
  } catch {
    const hidden = mtimeMs(join(modules, '.package-lock.json'));
    const lock = mtimeMs(join(root, 'package-lock.json'));
    if (hidden !== undefined && lock !== undefined && hidden >= lock) {
      writeStamp(root, hash);
      return { current: true };
    }
    return { current: false, reason: 'node_modules is older than package-lock.json' };
  }
}

function writeStamp(root, hash = lockHash(root)) {
  try {
    writeFileSync(join(root, 'node_modules', STAMP), `${JSON.stringify({ lockHash: hash, installedAt: new Date().toISOString() })}\n`);
  } catch {
    // Without a stamp the next run compares modification times instead.
  }
}

export async function installNpmDependencies(root, { onOutput, signal } = {}) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = await runProgram(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, timeoutMs: 20 * 60_000, onOutput, signal });
  if (result.code !== 0) {
    throw new SetupProblem(`npm ci failed (exit ${result.code}); check that the npm registry is reachable (npm config get registry), then run again.\n${tailLines(result.output)}`);
  }
  writeStamp(root);
}
