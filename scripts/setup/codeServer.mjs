// Installs code-server (a real VS Code: server build, Node extension host, web workbench) from the
// npm registry into a cache outside the repository. Works offline: the only download code-server's
// dependencies try outside npm is ripgrep from GitHub, which we satisfy from Debian's rg.
// A second run returns at once. The set-up (scripts/setup/index.mjs) installs it; tests and
// `npm start` only ask for its path.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync, mkdtempSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from '../lib/cache.mjs';
import { versions } from '../lib/versions.mjs';
import { SetupProblem } from './errors.mjs';
import { runProgram, tailLines, which } from './system.mjs';

function codeServerHome() {
  return join(cacheDir(), `code-server-${versions.codeServer}`);
}

function codeServerBin() {
  return join(codeServerHome(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

/** @vscode/ripgrep's postinstall reads this archive before it tries GitHub (unreachable here). */
function seedRipgrepCache() {
  const rg = which('rg');
  if (!rg) {
    throw new SetupProblem('ripgrep (rg) is not installed; code-server\'s install needs it. Install it with: sudo apt-get install -y ripgrep');
  }
  const dir = join(tmpdir(), versions.vscodeRipgrepCache);
  const archive = join(dir, versions.ripgrepArchive);
  if (existsSync(archive)) return;
  mkdirSync(dir, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'rg-seed-'));
  try {
    copyFileSync(rg, join(staging, 'rg'));
    chmodSync(join(staging, 'rg'), 0o755);
    execFileSync('tar', ['-czf', `${archive}.tmp`, '-C', staging, 'rg']);
    renameSync(`${archive}.tmp`, archive);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export function codeServerInstalled() {
  return existsSync(join(codeServerHome(), '.installed')) && existsSync(codeServerBin());
}

/**
 * Installs code-server into the cache (a staging folder renamed into place at the end, so an
 * interrupted install never looks complete). `onOutput` receives npm's output as it comes.
 */
export async function installCodeServer({ signal, onOutput } = {}) {
  const home = codeServerHome();
  if (!which('pkg-config')) {
    throw new SetupProblem('pkg-config is missing; code-server\'s kerberos module needs it. Install: sudo apt-get install -y --no-install-recommends pkg-config libkrb5-dev');
  }
  seedRipgrepCache();
  const staging = `${home}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true }));
  try {
    const result = await runProgram('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `code-server@${versions.codeServer}`], {
      cwd: staging,
      signal,
      onOutput,
      env: {
        ...process.env,
        // code-server's postinstall refuses to run as root without this.
        npm_config_unsafe_perm: 'true',
        // node-pty's postinstall runs `npx node-gyp`, which would otherwise wait for a "yes".
        npm_config_yes: 'true',
      },
    });
    if (result.code !== 0) {
      throw new SetupProblem(`npm install code-server@${versions.codeServer} failed (exit ${result.code}); check the npm registry and the packages its native modules need (libkrb5-dev, pkg-config, g++, make, python3).\n${tailLines(result.output)}`);
    }
    rmSync(home, { recursive: true, force: true });
    renameSync(staging, home);
    writeFileSync(join(home, '.installed'), `${versions.codeServer}\n`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The launcher's path, installing code-server first if it is not there yet. */
export async function ensureCodeServer() {
  if (!codeServerInstalled()) await installCodeServer();
  return codeServerBin();
}
