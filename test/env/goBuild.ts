// Builds Go programs from the module proxy into a cache outside the repository. Nothing fetched is
// ever written inside the repository: wrapper modules, module cache, build cache and binaries all
// live under the cache root (~/.cache/vcluster-vscode unless VCLUSTER_VSCODE_CACHE says otherwise).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, join } from 'node:path';
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

/**
 * The garbage collector of the compiler and linker: off where memory allows (a third less compile
 * time on 2 cores: 733 s instead of 938 s for every local binary, peak 1.9 GiB per process), as it
 * only delays freeing memory in short-lived processes.
 */
function goGarbageCollection(): string {
  return process.env.GOGC ?? (totalmem() >= 8 * 1024 ** 3 ? 'off' : '100');
}

function goEnv(): NodeJS.ProcessEnv {
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

export interface GoResult {
  stdout: string;
  peakRssKb: number;
}

/**
 * Runs one go command, bounded by a timeout, with its output kept for the error message. Measures
 * the peak resident memory of the go command and its children (through /usr/bin/time when present).
 */
export async function runGo(args: string[], cwd: string, timeoutMs: number, signal?: AbortSignal, onStderr?: (text: string) => void): Promise<GoResult> {
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const rssFile = join(cwd, `.rss-${process.pid}`);
  const command = timeBin ?? 'go';
  const commandArgs = timeBin ? ['-f', '%M', '-o', rssFile, 'go', ...args] : args;
  const output: string[] = [];
  let stdout = '';
  if (signal?.aborted) throw new SetupError(`go ${args[0]} was not started: the set-up stopped`);
  const code = await new Promise<number | 'missing' | 'timeout' | 'aborted'>((resolve) => {
    const child = spawn(command, commandArgs, { cwd, env: goEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    // Another set-up step failed: stop instead of building on unseen.
    const abort = () => {
      child.kill('SIGKILL');
      resolve('aborted');
    };
    signal?.addEventListener('abort', abort, { once: true });
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > 400) output.shift();
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      keep(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      keep(chunk);
      onStderr?.(chunk.toString());
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('timeout');
    }, timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
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
  if (code === 'missing' || /exec: "?go"?: executable file not found|go: not found|No such file or directory/.test(log) && code === 127) {
    throw new SetupError('The Go toolchain (go) is not on PATH. Install Go 1.24 or newer (https://go.dev/dl, or apt-get install golang-go) and run again.');
  }
  if (code === 'aborted') throw new SetupError(`go ${args[0]} was stopped: the set-up stopped`);
  if (code === 'timeout') {
    throw new SetupError(`go ${args.join(' ')} did not finish within ${Math.round(timeoutMs / 60_000)} min (in ${cwd}). Last output:\n${tail(log)}`);
  }
  if (code !== 0) {
    if (/proxy\.golang\.org|dial tcp|i\/o timeout|no such host|40[34] Forbidden|40[34] Not Found|410 Gone|unknown revision|reading .*: .*(refused|reset)/.test(log)) {
      // The proxy names the module it refused in "reading https://…/MODULE/@v/VERSION.zip: 403 Forbidden".
      const refused = /reading https?:\/\/[^/\s]+\/(\S+)\/@v\/(\S+?)\.(?:zip|mod|info): (\d{3} [\w ]+)/.exec(log);
      const which = refused ? `: the proxy answered ${refused[3]!.trim()} for ${refused[1]}@${refused[2]}` : '';
      throw new SetupError(`A Go module could not be downloaded${which} (go ${args[0]} in ${cwd}). Check that the Go module proxy (GOPROXY=${goEnv().GOPROXY}) is reachable and serves the versions pinned in scripts/lib/versions.mjs. Last output:\n${tail(log)}`);
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

/** Folder of wrapper module `name` (a recipe's key), for programs whose own sources live in it. */
export function wrapperModuleDir(name: string): string {
  return cacheDir('go', 'wrappers', name) as string;
}

/**
 * Writes a throw-away wrapper module whose go.mod requires the programs' module and lists them as
 * `tool`s, then resolves its dependencies. Wrapper modules are how modules with local `replace`
 * directives (k8s.io/kubernetes, etcd's server) are built from the proxy: their replaces are ignored
 * in a dependency, so the wrapper restates them against published versions.
 */
export async function prepareWrapperModule(name: string, goMod: string, timeoutMs: number, seedGoSum?: string, signal?: AbortSignal, files: Record<string, string> = {}): Promise<WrapperModule> {
  const dir = wrapperModuleDir(name);
  // `go mod tidy` rewrites go.mod, so what we asked for is kept beside it to tell if it changed.
  const requested = join(dir, 'go.mod.requested');
  const wanted = [goMod, ...Object.entries(files).sort().map(([path, text]) => `// file ${path}\n${text}`)].join('\n');
  const unchanged = existsSync(requested) && readFileSync(requested, 'utf8') === wanted && existsSync(join(dir, 'go.sum'));
  if (!unchanged) {
    rmSync(join(dir, 'go.sum'), { force: true });
    // A module's own go.sum vouches for dependencies the checksum database does not list (some
    // pre-release modules vCluster requires); every download is still checked against it.
    if (seedGoSum) writeFileSync(join(dir, 'go.sum'), seedGoSum);
    rmSync(requested, { force: true });
    writeFileSync(join(dir, 'go.mod'), goMod);
    // Sources of our own programs must be in place before `go mod tidy`, or it drops what they import.
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    await runGo(['mod', 'tidy'], dir, timeoutMs, signal);
    writeFileSync(requested, wanted);
  }
  return { dir };
}

/** Downloads one module version: its source folder (read only, in the module cache) and go.mod text. */
export async function downloadModule(modulePath: string, version: string, timeoutMs: number, signal?: AbortSignal): Promise<{ dir: string; goMod: string }> {
  const dir = cacheDir('go', 'scratch') as string;
  if (!existsSync(join(dir, 'go.mod'))) writeFileSync(join(dir, 'go.mod'), 'module vcluster-vscode.local/scratch\n\ngo 1.24\n');
  const { stdout } = await runGo(['mod', 'download', '-json', `${modulePath}@${version}`], dir, timeoutMs, signal);
  const info = JSON.parse(stdout) as { Dir?: string; GoMod?: string; Error?: string };
  if (info.Error || !info.GoMod || !info.Dir) throw new SetupError(`Could not download ${modulePath}@${version}: ${info.Error ?? 'no go.mod'}`);
  return { dir: info.Dir, goMod: readFileSync(info.GoMod, 'utf8') };
}

/** The go.mod text of one module version (for deriving a wrapper's replaces). */
export async function moduleGoMod(modulePath: string, version: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  return (await downloadModule(modulePath, version, timeoutMs, signal)).goMod;
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

/** The file `go build -o DIR/` gives a main package: its last path element, skipping a /vN suffix. */
export function goBinaryName(pkg: string): string {
  const parts = pkg.split('/');
  const last = parts[parts.length - 1]!;
  return /^v\d+$/.test(last) && parts.length > 1 ? parts[parts.length - 2]! : last;
}

export interface GoProgram {
  /** Package path of the main package. */
  pkg: string;
  /** File name of the binary. */
  out: string;
}

export interface GoProgramsRecipe {
  /** Cache key: names the binaries' folder, so it must change with any pinned version. */
  key: string;
  /** The wrapper's go.mod, computed only when a build is needed (it may download). */
  goMod: (signal?: AbortSignal) => Promise<string>;
  seedGoSum?: (signal?: AbortSignal) => Promise<string>;
  /** Files of our own in the wrapper module (path → text), such as a program's main.go. */
  files?: Record<string, string>;
  programs: GoProgram[];
  ldflags: string;
}

export interface BuildReport {
  /** Peak resident memory of any one go command, in MiB (0 when nothing was built). */
  peakBuildRssMiB: number;
  built: string[];
}

const MODULE_TIMEOUT_MS = 20 * 60_000;
const BUILD_TIMEOUT_MS = 40 * 60_000;

/** The recipe's binaries folder, when it is complete (built earlier). */
export function builtRecipeDir(recipe: GoProgramsRecipe): string | undefined {
  const dir = join(cacheDir('bin') as string, recipe.key);
  return existsSync(join(dir, '.complete')) && recipe.programs.every((program) => existsSync(join(dir, program.out))) ? dir : undefined;
}

/**
 * The network half of a build: writes the recipe's wrapper module and downloads every module it
 * needs (`go mod tidy`). Several recipes may resolve at once: the module cache is locked per module.
 */
export async function resolveRecipe(recipe: GoProgramsRecipe, signal?: AbortSignal): Promise<WrapperModule> {
  const goMod = await recipe.goMod(signal);
  const seed = recipe.seedGoSum ? await recipe.seedGoSum(signal) : undefined;
  return prepareWrapperModule(recipe.key, goMod, MODULE_TIMEOUT_MS, seed, signal, recipe.files);
}

/**
 * The CPU half: builds the recipe's programs into bin/<key> (resolving first if needed). Programs
 * sharing a wrapper are built by one go command, so shared packages compile once.
 */
export async function compileRecipe(recipe: GoProgramsRecipe, signal?: AbortSignal, onPackages?: (compiled: number) => void): Promise<{ dir: string; peakRssMiB: number; packages: number }> {
  let peakRssMiB = 0;
  // `go build -v` names each package as it compiles it: a count of real progress.
  let packages = 0;
  let partial = '';
  const countPackages = (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    packages += lines.filter((line) => /^[\w.-]+(\/[\w.~+-]+)*$/.test(line.trim())).length;
    onPackages?.(packages);
  };
  const { dir } = await ensureBinaryFolder(recipe.key, recipe.programs.map((program) => program.out), async (staging) => {
    const wrapper = await resolveRecipe(recipe, signal);
    // `go build -o DIR/ a b` names each binary after its package folder; build into a scratch
    // folder and rename, so several programs still share one go command.
    const scratch = join(staging, '.out');
    mkdirSync(scratch, { recursive: true });
    // No DWARF from the compiler (the linker's -w would drop it anyway): less to compile and cache.
    const result = await runGo(['build', '-v', '-trimpath', '-gcflags=all=-dwarf=false', '-ldflags', recipe.ldflags, '-o', `${scratch}/`, ...recipe.programs.map((program) => program.pkg)], wrapper.dir, BUILD_TIMEOUT_MS, signal, countPackages);
    for (const program of recipe.programs) {
      const produced = join(scratch, goBinaryName(program.pkg));
      if (!existsSync(produced)) throw new SetupError(`go build did not produce ${produced}`);
      renameSync(produced, join(staging, program.out));
    }
    rmSync(scratch, { recursive: true, force: true });
    peakRssMiB = Math.round(result.peakRssKb / 1024);
  });
  return { dir, peakRssMiB, packages };
}

/** Builds a recipe's programs into bin/<key>, unless already there, and returns the folder. */
export async function buildGoPrograms(recipe: GoProgramsRecipe, report: BuildReport, step: <T>(label: string, fn: () => Promise<T>) => Promise<T>): Promise<string> {
  const built = builtRecipeDir(recipe);
  if (built) return built;
  await step(`resolve modules for ${recipe.key}`, () => resolveRecipe(recipe));
  const { dir, peakRssMiB } = await step(`build ${recipe.programs.map((program) => program.out).join(', ')}`, () => compileRecipe(recipe));
  report.peakBuildRssMiB = Math.max(report.peakBuildRssMiB, peakRssMiB);
  report.built.push(recipe.key);
  return dir;
}

/** A wrapper module's go.mod: requirements and the programs it builds, as `tool` directives. */
export function wrapperGoMod(name: string, requires: Array<[string, string]>, tools: string[], extra: string[] = []): string {
  return [
    `module vcluster-vscode.local/${name}`, '', 'go 1.24', '',
    'require (', ...requires.map(([module, version]) => `\t${module} ${version}`), ')', '',
    ...extra,
    'tool (', ...tools.map((tool) => `\t${tool}`), ')', '',
  ].join('\n');
}

/** The first line a program prints for its version query, or the error, for set-up reports. */
export function reportedVersion(binary: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync(binary, args, { encoding: 'utf8', timeout: 20_000, env }).trim().split('\n')[0] ?? '';
  } catch (error) {
    return `error: ${(error as Error).message.split('\n')[0]}`;
  }
}
