// Every binary of the local host cluster and of a real vCluster, built by ONE Go module and ONE
// `go build`: kube-apiserver, kube-controller-manager, kube-scheduler and kubectl
// (k8s.io/kubernetes), etcd, kwok and kwokctl, helm, kine, the vcluster CLI and syncer, and the
// translate oracle (test/env/go/translate-oracle). Built apart, each tool compiled its own copy of
// the libraries they share (client-go, apiserver, grpc, etcd's client…) at slightly different
// versions; together, Go's minimal version selection gives them one version of each and every
// package compiles once.
//
// The module is test/env/go: its go.mod and go.sum are pinned in the repository (`npm run go:pin`
// writes them from scripts/lib/versions.mjs), so a build downloads exactly what they name, verified
// by their checksums, and needs no `go mod tidy`. Plain Node: the set-up runs this before npm ci.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SetupProblem } from '../setup/errors.mjs';
import { cacheDir } from './cache.mjs';
import { ensureBinaryFolder, goBinaryName, runGo } from './go.mjs';
import { versions } from './versions.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LOCAL_MODULE_DIR = join(root, 'test', 'env', 'go');
export const LOCAL_MODULE_PATH = 'vcluster-vscode.local/local-cluster-build';
export const VCLUSTER_MODULE = 'github.com/loft-sh/vcluster';
/** The vcluster syncer's own naming code as a program, for the tests of src/vcluster/translate.ts. */
export const TRANSLATE_ORACLE = 'vcluster-translate-oracle';

const MODULE_TIMEOUT_MS = 20 * 60_000;
const BUILD_TIMEOUT_MS = 60 * 60_000;
/** Module downloads in flight while the build starts (network-bound, not CPU-bound). */
const PREFETCH_CONCURRENCY = 16;

/** Each program: its package and the file name it gets (as users call it). */
export const LOCAL_PROGRAMS = [
  { pkg: 'k8s.io/kubernetes/cmd/kube-apiserver', out: 'kube-apiserver' },
  { pkg: 'k8s.io/kubernetes/cmd/kube-controller-manager', out: 'kube-controller-manager' },
  { pkg: 'k8s.io/kubernetes/cmd/kube-scheduler', out: 'kube-scheduler' },
  { pkg: 'k8s.io/kubernetes/cmd/kubectl', out: 'kubectl' },
  { pkg: 'go.etcd.io/etcd/server/v3', out: 'etcd' },
  { pkg: 'sigs.k8s.io/kwok/cmd/kwok', out: 'kwok' },
  { pkg: 'sigs.k8s.io/kwok/cmd/kwokctl', out: 'kwokctl' },
  { pkg: 'helm.sh/helm/v3/cmd/helm', out: 'helm' },
  // CGO_ENABLED=0 (set for every build) selects kine's pure-Go SQLite driver (modernc.org/sqlite).
  { pkg: 'github.com/k3s-io/kine', out: 'kine' },
  { pkg: `${VCLUSTER_MODULE}/cmd/vclusterctl`, out: 'vcluster' },
  // The syncer (`vcluster start`), which normally runs in the vCluster's pod.
  { pkg: `${VCLUSTER_MODULE}/cmd/vcluster`, out: 'vcluster-syncer' },
  { pkg: `${LOCAL_MODULE_PATH}/translate-oracle`, out: TRANSLATE_ORACLE },
];

/**
 * Version stamps, as each project's release build sets them; without them the binaries report
 * v0.0.0-master or "unknown". One `-X` applies to every program that links the package.
 */
export function localLdflags() {
  const kubernetes = versions.kubernetes;
  const [major, minor] = kubernetes.replace(/^v/, '').split('.');
  const kubernetesStamps = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${kubernetes}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
  ]);
  return [
    ...kubernetesStamps,
    `-X sigs.k8s.io/kwok/pkg/consts.Version=${versions.kwok}`,
    `-X helm.sh/helm/v3/internal/version.version=${versions.helm}`,
    `-X github.com/k3s-io/kine/pkg/version.Version=${versions.kine}`,
    // The vcluster CLI's version (its release pipeline stamps the same variable).
    `-X main.version=${versions.vcluster.replace(/^v/, '')}`,
    // No symbol table or DWARF: smaller binaries, a faster link.
    '-s', '-w',
  ].join(' ');
}

/** The build's flags after `go build`: no DWARF from the compiler either (the linker's -w drops it). */
function buildFlags() {
  return ['-v', '-trimpath', '-mod=readonly', '-gcflags=all=-dwarf=false', '-ldflags', localLdflags()];
}

/**
 * Names the binaries' folder in the cache: the pinned versions for people, and a hash of everything
 * that makes the binaries (go.mod, go.sum, our Go sources, the flags, the programs) for the build.
 */
export function localBuildKey() {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', join('translate-oracle', 'main.go')]) hash.update(readFileSync(join(LOCAL_MODULE_DIR, file)));
  hash.update(JSON.stringify([buildFlags(), LOCAL_PROGRAMS]));
  return `local-kubernetes-${versions.kubernetes}-vcluster-${versions.vcluster}-${hash.digest('hex').slice(0, 12)}`;
}

function binaryFolder() {
  return join(cacheDir('bin'), localBuildKey());
}

/** The folder holding every binary, if built. */
export function builtLocalBinariesDir() {
  const dir = binaryFolder();
  return existsSync(join(dir, '.complete')) && LOCAL_PROGRAMS.every((program) => existsSync(join(dir, program.out))) ? dir : undefined;
}

/**
 * Builds every binary into the cache unless already there (minutes cold, a stamp check warm).
 * `go build -v` names each package it compiles, and go says "go: downloading M V" for each module
 * it fetches first: `onProgress` gets both running counts.
 * @param {{ signal?: AbortSignal, onProgress?: (progress: { downloaded: number, compiled: number }) => void }} [options]
 */
export async function buildLocalBinaries(options = {}) {
  const started = Date.now();
  let packages = 0;
  const downloaded = new Set();
  let peakRssKb = 0;
  // One counter per go command: each has its own partial last line.
  const counter = () => {
    let partial = '';
    return (text) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      // The build and the prefetch may both name a module: each counts once.
      for (const line of lines) if (line.startsWith('go: downloading ')) downloaded.add(line.trim());
      // Package paths only; errors and download lines have spaces or colons.
      packages += lines.filter((line) => /^[\w.~+-]+(\/[\w.~+-]+)*$/.test(line.trim())).length;
      options.onProgress?.({ downloaded: downloaded.size, compiled: packages });
    };
  };
  const { dir, built } = await ensureBinaryFolder(localBuildKey(), LOCAL_PROGRAMS.map((program) => program.out), async (staging) => {
    // `go build -o DIR/ a b` names each binary after its package folder; build into a scratch
    // folder and rename, so all programs still share one go command.
    const scratch = join(staging, '.out');
    const programs = runGo(['build', ...buildFlags(), '-o', `${scratch}/`, ...LOCAL_PROGRAMS.map((program) => program.pkg)],
      LOCAL_MODULE_DIR, BUILD_TIMEOUT_MS, options.signal, counter());
    // Cold, that build first spends a minute or more downloading modules, the CPU mostly idle.
    // The standard library needs no download: compiled meanwhile with the same flags, it lands in
    // the build cache where the programs' build finds it.
    const stopStandardLibrary = new AbortController();
    options.signal?.addEventListener('abort', () => stopStandardLibrary.abort(), { once: true });
    const standardLibrary = runGo(['build', ...buildFlags().filter((flag) => flag !== '-mod=readonly'), 'std'],
      LOCAL_MODULE_DIR, BUILD_TIMEOUT_MS, stopStandardLibrary.signal, counter()).catch(() => undefined);
    // go fetches modules as many at a time as it has cores (2 here): a listing of the same
    // packages with more fetches in flight downloads them into the shared module cache (go locks
    // each download, so the build takes what the listing fetched). Measured on 2 cores, the 381
    // modules: 44 s as the build fetches them, 23 s this way.
    const prefetch = runGo(['list', '-deps', '-e', '-mod=readonly', '-f', '{{if .Module}}{{.Module.Path}}{{end}}', ...LOCAL_PROGRAMS.map((program) => program.pkg)],
      LOCAL_MODULE_DIR, MODULE_TIMEOUT_MS, stopStandardLibrary.signal, counter(), { GOMAXPROCS: String(PREFETCH_CONCURRENCY) }).catch(() => undefined);
    try {
      peakRssKb = (await programs).peakRssKb;
    } finally {
      // Only helps: when the programs' build is over (or failed), they are not waited for.
      stopStandardLibrary.abort();
      await Promise.all([standardLibrary, prefetch]);
    }
    for (const program of LOCAL_PROGRAMS) {
      const produced = join(scratch, goBinaryName(program.pkg));
      if (!existsSync(produced)) throw new SetupProblem(`go build did not produce ${produced}`);
      renameSync(produced, join(staging, program.out));
    }
    rmSync(scratch, { recursive: true, force: true });
  });
  return { dir, built, packages, peakRssMiB: Math.round(peakRssKb / 1024), seconds: (Date.now() - started) / 1000 };
}

/** Downloads one module version (read only, in the module cache) and returns its folder. */
export async function downloadModule(modulePath, version, signal) {
  const scratch = cacheDir('go', 'scratch');
  if (!existsSync(join(scratch, 'go.mod'))) writeFileSync(join(scratch, 'go.mod'), 'module vcluster-vscode.local/scratch\n\ngo 1.24\n');
  const { stdout } = await runGo(['mod', 'download', '-json', `${modulePath}@${version}`], scratch, MODULE_TIMEOUT_MS, signal);
  const info = JSON.parse(stdout);
  if (info.Error || !info.GoMod || !info.Dir) throw new SetupProblem(`Could not download ${modulePath}@${version}: ${info.Error ?? 'no go.mod'}`);
  return { dir: info.Dir, goMod: readFileSync(info.GoMod, 'utf8') };
}

function chartFolder() {
  return join(cacheDir('bin'), `vcluster-chart-${versions.vcluster}`);
}

/** The stamped chart's folder, if it is in the cache already. */
export function readyChartDir() {
  return existsSync(join(chartFolder(), '.complete')) ? chartFolder() : undefined;
}

/**
 * The vcluster module's chart/ folder, copied and stamped with its release version the way
 * vCluster's release pipeline does (the source says `version: 0.0.1 # auto-generated by release
 * pipeline`), so the release, its image tag and `vcluster list` show the real version.
 * @param {AbortSignal} [signal]
 */
export async function releaseChart(signal) {
  const ready = readyChartDir();
  if (ready) return ready;
  const target = chartFolder();
  const module = await downloadModule(VCLUSTER_MODULE, versions.vcluster, signal);
  rmSync(target, { recursive: true, force: true });
  cpSync(join(module.dir, 'chart'), target, { recursive: true });
  // Files from the module cache are read only; the copy is ours to stamp.
  execFileSync('chmod', ['-R', 'u+w', target]);
  const chartYaml = join(target, 'Chart.yaml');
  const stamped = readFileSync(chartYaml, 'utf8').replace(/^version:.*$/m, `version: ${versions.vcluster.replace(/^v/, '')}`);
  if (!/^version: \d/m.test(stamped)) throw new SetupProblem(`${chartYaml} has no version line to stamp`);
  writeFileSync(chartYaml, stamped);
  writeFileSync(join(target, '.complete'), `${new Date().toISOString()}\n`);
  return target;
}
