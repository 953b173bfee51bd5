// Set-up shared by the E2E tier and npm start: a production build packaged as a .vsix (what users install),
// and code-server in the cache. Runs once per tier, before any test file.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer } from '../setup/codeServer.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function run(label, args) {
  const started = Date.now();
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) {
    throw new Error(`${label} failed:\n${result.stdout}\n${result.stderr}`);
  }
  console.log(`[build] ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result.stdout;
}

export async function prepareExtensionPackage() {
  run('production build', [join(root, 'esbuild.js'), '--production']);
  const vsix = run('package .vsix', [join(root, 'scripts', 'package-vsix.mjs')]).trim().split('\n').pop();
  const codeServer = await ensureCodeServer();
  process.env.VCLUSTER_E2E_VSIX = vsix;
  process.env.VCLUSTER_E2E_CODE_SERVER = codeServer;
  return { vsix, codeServer };
}
