// `npm run ci:fresh`: the way to prove a set-up change. Clones the committed HEAD into a temp
// folder and runs `.ci/run` there as CI does (CI=true, no stdin), with empty caches: a new cache
// root (VCLUSTER_VSCODE_CACHE: Go modules and builds, binaries, code-server) and a new npm cache.
// Machine packages already installed stay installed. Prints `.ci/run`'s output as it comes, then
// the time it took; the clone and the caches are removed at the end unless --keep is given.
//
//   npm run ci:fresh                 cold: empty caches
//   npm run ci:fresh -- --warm       the machine's own caches (what a second run costs)
//   npm run ci:fresh -- --keep       keep the clone and caches (their paths are printed)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { warm: { type: 'boolean' }, keep: { type: 'boolean' } } });

const dirty = spawnSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).stdout.trim();
if (dirty) console.log('[ci:fresh] note: uncommitted changes are not in the clone (it is of HEAD)');
const scratch = mkdtempSync(join(tmpdir(), 'vcluster-ci-fresh-'));
const clone = join(scratch, 'repo');
const cloned = spawnSync('git', ['clone', '--quiet', root, clone], { stdio: 'inherit' });
if (cloned.status !== 0) {
  console.error('[ci:fresh] git clone failed');
  process.exit(1);
}
const env = { ...process.env, CI: 'true' };
if (!values.warm) {
  env.VCLUSTER_VSCODE_CACHE = join(scratch, 'cache');
  env.npm_config_cache = join(scratch, 'npm-cache');
}
console.log(`[ci:fresh] ${clone}${values.warm ? ' (warm caches)' : ` with empty caches under ${scratch}`}`);
const started = Date.now();
const code = await new Promise((resolve) => {
  const child = spawn('bash', ['.ci/run'], { cwd: clone, env, stdio: ['ignore', 'inherit', 'inherit'] });
  // Ctrl+C reaches the child too (same process group); wait for it to tidy up.
  process.on('SIGINT', () => undefined);
  child.on('close', (exitCode) => resolve(exitCode ?? 1));
});
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`[ci:fresh] .ci/run exited with ${code} after ${Math.floor(seconds / 60)} m ${seconds % 60} s`);
if (values.keep) console.log(`[ci:fresh] kept ${scratch}`);
else {
  // The Go module cache is read-only on purpose; make it removable first.
  spawnSync('chmod', ['-R', 'u+w', scratch]);
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(code);
