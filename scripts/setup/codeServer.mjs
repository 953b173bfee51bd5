#!/usr/bin/env node
// Installs code-server (a real VS Code: server build, Node extension host, web workbench) from the
// npm registry into a cache outside the repository. Works offline: the only download code-server's
// dependencies try outside npm is ripgrep from GitHub, which we satisfy from Debian's rg.
// A second run returns at once. Prints the path of the code-server launcher on its last line.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync, mkdtempSync, copyFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheDir, step } from './lib/cache.mjs';
import { versions } from './lib/versions.mjs';

export function codeServerHome() {
  return join(cacheDir(), `code-server-${versions.codeServer}`);
}

export function codeServerBin() {
  return join(codeServerHome(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function which(command) {
  try {
    return execFileSync('which', [command], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** @vscode/ripgrep's postinstall reads this archive before it tries GitHub (unreachable here). */
function seedRipgrepCache() {
  const rg = which('rg');
  if (!rg) {
    throw new Error('ripgrep (rg) is not installed. Install it with: apt-get install -y ripgrep');
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

function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail = [];
    const keep = (chunk) => {
      tail.push(chunk.toString());
      if (tail.length > 200) tail.shift();
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // npm never hangs forever on a closed network, but bound it anyway.
    const timer = setTimeout(() => child.kill('SIGKILL'), 20 * 60 * 1000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${tail.join('').slice(-4000)}`));
    });
  });
}

export async function ensureCodeServer() {
  const home = codeServerHome();
  const marker = join(home, '.installed');
  if (existsSync(marker) && existsSync(codeServerBin())) {
    return codeServerBin();
  }
  for (const pkg of ['pkg-config']) {
    if (!which(pkg)) {
      throw new Error(`${pkg} is missing; code-server's kerberos module needs it. Install: apt-get install -y pkg-config libkrb5-dev`);
    }
  }
  await step('seed ripgrep cache for @vscode/ripgrep', async () => seedRipgrepCache());
  // Install into a staging folder and rename, so an interrupted install never looks complete.
  const staging = `${home}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: 'code-server-cache', private: true }));
  await step(`npm install code-server@${versions.codeServer} (builds native modules, ~2 min)`, () =>
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `code-server@${versions.codeServer}`], {
      cwd: staging,
      env: {
        ...process.env,
        // code-server's postinstall refuses to run as root without this.
        npm_config_unsafe_perm: 'true',
        // node-pty's postinstall runs `npx node-gyp`, which would otherwise wait for a "yes".
        npm_config_yes: 'true',
      },
    }));
  rmSync(home, { recursive: true, force: true });
  renameSync(staging, home);
  writeFileSync(marker, `${versions.codeServer}\n`);
  return codeServerBin();
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureCodeServer().then(
    (bin) => console.log(bin),
    (error) => {
      console.error(`[setup] could not install code-server: ${error.message}`);
      process.exit(1);
    },
  );
}
