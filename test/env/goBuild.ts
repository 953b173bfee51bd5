// Builds Go programs from the module proxy into a cache outside the repository. Nothing fetched is
// ever written inside the repository: wrapper modules, module cache, build cache and binaries all
// live under the cache root (~/.cache/vcluster-vscode unless VCLUSTER_VSCODE_CACHE says otherwise).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error -- plain .mjs module without type declarations
import { cacheDir } from '../../scripts/lib/cache.mjs';

export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}

export function goCacheDirs(): { modCache: string; buildCache: string } {
  return { modCache: cacheDir('go', 'mod') as string, buildCache: cacheDir('go', 'build') as string };
}

function goEnv(): NodeJS.ProcessEnv {
  const { modCache, buildCache } = goCacheDirs();
  return {
    ...process.env,
    GOMODCACHE: modCache,
    GOCACHE: buildCache,
    // The machine's Go is the toolchain: never try to download another one.
    GOTOOLCHAIN: 'local',
    GOFLAGS: '-buildvcs=false -mod=mod',
    CGO_ENABLED: '0',
    GOPROXY: process.env.GOPROXY ?? 'https://proxy.golang.org,direct',
  };
}

export interface GoResult {
  stdout: string;
  peakRssKb: number;
}

/**
 * Runs one go command, bounded by a timeout, with its output kept for the error message. Measures
 * the peak resident memory of the go command and its children (through /usr/bin/time when present).
 */
export async function runGo(args: string[], cwd: string, timeoutMs: number): Promise<GoResult> {
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const rssFile = join(cwd, `.rss-${process.pid}`);
  const command = timeBin ?? 'go';
  const commandArgs = timeBin ? ['-f', '%M', '-o', rssFile, 'go', ...args] : args;
  const output: string[] = [];
  let stdout = '';
  const code = await new Promise<number | 'missing' | 'timeout'>((resolve) => {
    const child = spawn(command, commandArgs, { cwd, env: goEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > 400) output.shift();
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      keep(chunk);
    });
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('timeout');
    }, timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code === 'ENOENT' ? 'missing' : 1);
    });
    child.on('close', (exitCode) => {
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
  if (code === 'missing' || /exec: "?go"?: executable file not found|go: not found|No such file or directory/.test(log) && code === 127) {
    throw new SetupError('The Go toolchain (go) is not on PATH. Install Go 1.24 or newer (https://go.dev/dl, or apt-get install golang-go) and run again.');
  }
  if (code === 'timeout') {
    throw new SetupError(`go ${args.join(' ')} did not finish within ${Math.round(timeoutMs / 60_000)} min (in ${cwd}). Last output:\n${tail(log)}`);
  }
  if (code !== 0) {
    if (/proxy\.golang\.org|dial tcp|i\/o timeout|no such host|410 Gone|404 Not Found|unknown revision|reading .*: .*(refused|reset)/.test(log)) {
      throw new SetupError(`A Go module could not be downloaded (go ${args[0]} in ${cwd}). Check that the Go module proxy (GOPROXY=${goEnv().GOPROXY}) is reachable and that the versions in scripts/lib/versions.mjs exist. Last output:\n${tail(log)}`);
    }
    throw new SetupError(`go ${args.join(' ')} failed with exit ${code} (in ${cwd}). Last output:\n${tail(log)}`);
  }
  return { stdout, peakRssKb };
}

function tail(text: string, lines = 25): string {
  return text.trimEnd().split('\n').slice(-lines).map((line) => `    ${line}`).join('\n');
}

/** Checks for the Go toolchain before any work, so the message comes first and clearly. */
export async function goVersion(): Promise<string> {
  const dir = cacheDir('go') as string;
  const { stdout } = await runGo(['version'], dir, 60_000);
  return stdout.trim();
}

export interface WrapperModule {
  /** Folder of the wrapper module (in the cache). */
  dir: string;
}

/**
 * Writes a throw-away wrapper module whose go.mod requires the programs' module and lists them as
 * `tool`s, then resolves its dependencies. Wrapper modules are how modules with local `replace`
 * directives (k8s.io/kubernetes, etcd's server) are built from the proxy: their replaces are ignored
 * in a dependency, so the wrapper restates them against published versions.
 */
export async function prepareWrapperModule(name: string, goMod: string, timeoutMs: number): Promise<WrapperModule> {
  const dir = cacheDir('go', 'wrappers', name) as string;
  // `go mod tidy` rewrites go.mod, so what we asked for is kept beside it to tell if it changed.
  const requested = join(dir, 'go.mod.requested');
  const unchanged = existsSync(requested) && readFileSync(requested, 'utf8') === goMod && existsSync(join(dir, 'go.sum'));
  if (!unchanged) {
    rmSync(join(dir, 'go.sum'), { force: true });
    rmSync(requested, { force: true });
    writeFileSync(join(dir, 'go.mod'), goMod);
    await runGo(['mod', 'tidy'], dir, timeoutMs);
    writeFileSync(requested, goMod);
  }
  return { dir };
}

/** Downloads one module version and returns its go.mod text (for deriving a wrapper's replaces). */
export async function moduleGoMod(modulePath: string, version: string, timeoutMs: number): Promise<string> {
  const dir = cacheDir('go', 'scratch') as string;
  if (!existsSync(join(dir, 'go.mod'))) writeFileSync(join(dir, 'go.mod'), 'module vcluster-vscode.local/scratch\n\ngo 1.24\n');
  const { stdout } = await runGo(['mod', 'download', '-json', `${modulePath}@${version}`], dir, timeoutMs);
  const info = JSON.parse(stdout) as { GoMod?: string; Error?: string };
  if (info.Error || !info.GoMod) throw new SetupError(`Could not download ${modulePath}@${version}: ${info.Error ?? 'no go.mod'}`);
  return readFileSync(info.GoMod, 'utf8');
}

/**
 * A folder of binaries that is either complete (its stamp file exists) or rebuilt: the build goes to
 * a staging folder renamed into place at the end, so an interrupted build never looks finished.
 */
export async function ensureBinaryFolder(
  key: string,
  names: string[],
  build: (stagingDir: string) => Promise<void>,
): Promise<{ dir: string; built: boolean }> {
  const dir = join(cacheDir('bin') as string, key);
  const stamp = join(dir, '.complete');
  if (existsSync(stamp) && names.every((name) => existsSync(join(dir, name)))) return { dir, built: false };
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await build(staging);
    for (const name of names) {
      if (!existsSync(join(staging, name))) throw new SetupError(`Building ${key} did not produce ${name}`);
    }
    writeFileSync(join(staging, '.complete'), `${new Date().toISOString()}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { dir, built: true };
}
