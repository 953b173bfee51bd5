// Runs the Go toolchain for the set-up and the tests: plain Node, no dependencies, so the set-up
// can build before `npm ci` has installed anything. Nothing fetched is ever written inside the
// repository: the module cache, the build cache and the binaries live under the cache root
// (~/.cache/vcluster-vscode unless VCLUSTER_VSCODE_CACHE says otherwise).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { SetupProblem } from '../setup/errors.mjs';
import { cacheDir } from './cache.mjs';

export function goCacheDirs() {
  return { modCache: cacheDir('go', 'mod'), buildCache: cacheDir('go', 'build') };
}

/**
 * The garbage collector of the compiler and linker: off where memory allows. A compile is a
 * short-lived process, so collecting only delays freeing; off, every local binary compiled in
 * 552–733 s instead of 938 s on 2 cores, with at most 1.9 GiB in one process.
 */
function goGarbageCollection() {
  return process.env.GOGC ?? (totalmem() >= 8 * 1024 ** 3 ? 'off' : '100');
}

export function goEnv() {
  const { modCache, buildCache } = goCacheDirs();
  return {
    ...process.env,
    GOGC: goGarbageCollection(),
    GOMODCACHE: modCache,
    GOCACHE: buildCache,
    // The machine's Go is the toolchain: never try to download another one.
    GOTOOLCHAIN: 'local',
    GOFLAGS: '-buildvcs=false -mod=mod',
    CGO_ENABLED: '0',
    GOPROXY: process.env.GOPROXY ?? 'https://proxy.golang.org,direct',
  };
}

function tail(text, lines = 25) {
  return text.trimEnd().split('\n').slice(-lines).map((line) => `    ${line}`).join('\n');
}

/**
 * Runs one go command, bounded by a timeout, with its output kept for the error message; stops it
 * when `signal` aborts. Measures the peak resident memory of the go command and its children
 * (through /usr/bin/time when present). Failures throw a SetupProblem that says what to do.
 */
export async function runGo(args, cwd, timeoutMs, signal, onStderr, extraEnv = {}) {
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const rssFile = join(tmpdir(), `vcluster-vscode-go-rss-${process.pid}-${Date.now()}`);
  const command = timeBin ?? 'go';
  const commandArgs = timeBin ? ['-f', '%M', '-o', rssFile, 'go', ...args] : args;
  const output = [];
  let stdout = '';
  if (signal?.aborted) throw new SetupProblem(`go ${args[0]} was not started: the set-up stopped`);
  const code = await new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd, env: { ...goEnv(), ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    // Another set-up step failed: stop instead of building on unseen.
    const abort = () => {
      child.kill('SIGKILL');
      resolve('aborted');
    };
    signal?.addEventListener('abort', abort, { once: true });
    const keep = (chunk) => {
      output.push(chunk.toString());
      if (output.length > 400) output.shift();
    };
    child.stdout.on('data', (chunk) => {
      stdout += chunk.toString();
      keep(chunk);
    });
    child.stderr.on('data', (chunk) => {
      keep(chunk);
      onStderr?.(chunk.toString());
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('timeout');
    }, timeoutMs);
    child.on('error', (error) => {
      signal?.removeEventListener('abort', abort);
      clearTimeout(timer);
      resolve(error.code === 'ENOENT' ? 'missing' : 1);
    });
    child.on('close', (exitCode) => {
      signal?.removeEventListener('abort', abort);
      clearTimeout(timer);
      resolve(exitCode ?? 1);
    });
  });
  let peakRssKb = 0;
  if (existsSync(rssFile)) {
    peakRssKb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) || 0;
    rmSync(rssFile, { force: true });
  }
  const log = output.join('');
  if (code === 'missing' || (/exec: "?go"?: executable file not found|go: not found|No such file or directory/.test(log) && code === 127)) {
    throw new SetupProblem('The Go toolchain (go) is not on PATH. Install Go (https://go.dev/dl; see scripts/lib/versions.mjs for the version) and run again.');
  }
  if (code === 'aborted') throw new SetupProblem(`go ${args[0]} was stopped: the set-up stopped`);
  if (code === 'timeout') {
    throw new SetupProblem(`go ${args.join(' ')} did not finish within ${Math.round(timeoutMs / 60_000)} min (in ${cwd}). Last output:\n${tail(log)}`);
  }
  if (code !== 0) {
    if (/proxy\.golang\.org|dial tcp|i\/o timeout|no such host|40[34] Forbidden|40[34] Not Found|410 Gone|unknown revision|reading .*: .*(refused|reset)/.test(log)) {
      // The proxy names the module it refused in "reading https://…/MODULE/@v/VERSION.zip: 403 Forbidden".
      const refused = /reading https?:\/\/[^/\s]+\/(\S+)\/@v\/(\S+?)\.(?:zip|mod|info): (\d{3} [\w ]+)/.exec(log);
      const which = refused ? `: the proxy answered ${refused[3].trim()} for ${refused[1]}@${refused[2]}` : '';
      throw new SetupProblem(`A Go module could not be downloaded${which} (go ${args[0]} in ${cwd}). Check that the Go module proxy (GOPROXY=${goEnv().GOPROXY}) is reachable and serves the versions pinned in scripts/lib/versions.mjs. Last output:\n${tail(log)}`);
    }
    throw new SetupProblem(`go ${args.join(' ')} failed with exit ${code} (in ${cwd}). Last output:\n${tail(log)}`);
  }
  return { stdout, peakRssKb };
}

/**
 * A folder of binaries that is either complete (its stamp file exists) or rebuilt: the build goes to
 * a staging folder renamed into place at the end, so an interrupted build never looks finished.
 */
export async function ensureBinaryFolder(key, names, build) {
  const dir = join(cacheDir('bin'), key);
  const stamp = join(dir, '.complete');
  if (existsSync(stamp) && names.every((name) => existsSync(join(dir, name)))) return { dir, built: false };
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await build(staging);
    for (const name of names) {
      if (!existsSync(join(staging, name))) throw new SetupProblem(`Building ${key} did not produce ${name}`);
    }
    writeFileSync(join(staging, '.complete'), `${new Date().toISOString()}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { dir, built: true };
}

/** The file `go build -o DIR/` gives a main package: its last path element, skipping a /vN suffix. */
export function goBinaryName(pkg) {
  const parts = pkg.split('/');
  const last = parts[parts.length - 1];
  return /^v\d+$/.test(last) && parts.length > 1 ? parts[parts.length - 2] : last;
}
