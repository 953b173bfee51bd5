// Everything a fresh clone needs before `npm test` or `npm start` can run, done by those commands
// themselves: Node.js checked, the machine packages (apt, when root), the npm dependencies
// (`npm ci` when node_modules is missing or stale), the Go toolchain checked, code-server, and the
// binaries of the local host cluster and the vCluster built from Go modules. `.ci/run` calls the
// same. A warm machine passes every check in about a second; a cold one shows each step as
// `[setup n/m] what` with an estimate and a heartbeat.
//
// Three lanes run side by side, because their critical parts use different resources: the machine
// packages and then code-server (network and dpkg, then native modules), the npm dependencies
// (network, disk), and the Go build (downloads, then minutes of CPU on every core). The first
// failure stops the other lanes. Plain Node with no dependencies: it runs before `npm ci`.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot } from '../lib/cache.mjs';
import { buildLocalBinaries, builtLocalBinariesDir, readyChartDir, releaseChart } from '../lib/localBuild.mjs';
import { versions } from '../lib/versions.mjs';
import { codeServerInstalled, installCodeServer } from './codeServer.mjs';
import { checkFreeSpace, GIB } from './disk.mjs';
import { installPackages, MACHINE_PACKAGES, missingPackages } from './debian.mjs';
import { SetupProblem } from './errors.mjs';
import { checkGoToolchain } from './goToolchain.mjs';
import { installNpmDependencies, npmDependenciesCurrent } from './npmDependencies.mjs';
import { estimateFor, formatDuration, loadTimings, SetupProgress } from './progress.mjs';

export { SetupProblem } from './errors.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What each entry point needs. */
export const PURPOSES = {
  test: { browser: true, codeServer: true, binaries: true },
  e2e: { browser: true, codeServer: true, binaries: true },
  start: { browser: false, codeServer: true, binaries: true },
  startRemote: { browser: false, codeServer: true, binaries: false },
  integration: { browser: false, codeServer: false, binaries: true },
  cluster: { browser: false, codeServer: false, binaries: true },
  bench: { browser: true, codeServer: true, binaries: true },
  unit: { browser: false, codeServer: false, binaries: false },
  /** Scripts that need only the npm dependencies (cluster:down, cluster:status). */
  npm: { browser: false, codeServer: false, binaries: false },
};

/**
 * Typical durations on 2 cores with empty caches, shown until this machine has recorded its own
 * (measured 2026-12 on the CI machine; see the README's set-up table).
 */
const TYPICAL_SECONDS = { machinePackages: 25, npm: 25, codeServer: 80 };

/**
 * The one build of every local binary (scripts/lib/localBuild.mjs): its typical cold time and
 * package count on 2 cores, and what it adds to the cache (module and build caches, binaries).
 */
const GO_BUILD = { typicalSeconds: 780, typicalPackages: 4000, coldBytes: 9 * GIB };

const MIN_NODE = [20, 19];

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
    throw new SetupProblem(`Node.js ${process.versions.node} is too old: use ${MIN_NODE.join('.')} or newer (code-server ${versions.codeServer} needs Node 20).`);
  }
  return process.versions.node;
}

/**
 * Makes the machine ready for `purpose` (a key of PURPOSES). Resolves with the seconds it took and
 * whether anything was installed or built; rejects with a SetupProblem saying what to do.
 * @param {keyof typeof PURPOSES} purpose
 * @param {{ write?: (line: string) => void }} [options]
 */
export async function ensureSetup(purpose, options = {}) {
  const needs = PURPOSES[purpose];
  if (!needs) throw new Error(`unknown set-up purpose ${purpose}`);
  const cache = cacheRoot();
  const requirements = [...(needs.codeServer ? MACHINE_PACKAGES.codeServer : []), ...(needs.browser ? MACHINE_PACKAGES.browser : [])];
  // Node.js, free disk space and the npm dependencies always; the rest as the purpose needs.
  const total = 3 + (needs.binaries ? 2 : 0) + (requirements.length > 0 ? 1 : 0) + (needs.codeServer ? 1 : 0);
  const progress = new SetupProgress({ total, timings: loadTimings(cache), ...(options.write ? { write: options.write } : {}) });
  let didWork = false;
  const abort = new AbortController();
  const { signal } = abort;

  await progress.step(`Node.js ${MIN_NODE.join('.')}+`, async (task) => task.note(`found ${checkNode()}`));
  if (needs.binaries) {
    await progress.step(`Go ${versions.goMinimum}+`, async (task) => {
      task.note(`found ${(await checkGoToolchain(versions.goMinimum, 'the local host cluster and the vCluster parts')).replace(/^go version /, '')}`);
    });
  }
  // Known before anything starts, so that a machine where we may not install fails at once.
  const missing = requirements.length > 0 ? await missingPackages(requirements) : [];
  await progress.step('free disk space', async (task) => {
    const cold = missing.length > 0 || !npmDependenciesCurrent(root).current || (needs.codeServer && !codeServerInstalled());
    // npm's node_modules (~0.4 GiB) and code-server (~0.6 GiB); the Go builds check their own need.
    if (cold) task.note(`${(checkFreeSpace(cache, 1.5 * GIB, 'the npm dependencies and code-server') / GIB).toFixed(1)} GiB free`);
  });

  // The first failure is the one reported; the other lane, stopped by it, fails only as a result.
  let firstFailure;
  const run = async (lane) => {
    try {
      return await lane();
    } catch (error) {
      firstFailure ??= error;
      abort.abort();
      throw error;
    }
  };

  const machineLane = async () => {
    if (requirements.length > 0) {
      await progress.step('machine packages', async (task) => {
        if (missing.length === 0) {
          task.note(`${requirements.map((entry) => entry.package).join(', ')} present`);
          return;
        }
        didWork = true;
        task.working(`installing ${missing.join(' ')} with apt-get`, { key: 'machine-packages', typicalSeconds: TYPICAL_SECONDS.machinePackages });
        // apt is never interrupted half-way (dpkg would be left to repair): it finishes even when
        // the other lane failed.
        await installPackages(missing);
      });
    }
    if (needs.codeServer) {
      await progress.step(`code-server ${versions.codeServer} (VS Code ${versions.vscode})`, async (task) => {
        if (codeServerInstalled()) return;
        didWork = true;
        task.working('npm install into the cache (builds native modules)', { key: 'code-server', typicalSeconds: TYPICAL_SECONDS.codeServer });
        await installCodeServer({ signal });
      });
    }
  };

  const npmLane = async () => {
    await progress.step('npm dependencies', async (task) => {
      const state = npmDependenciesCurrent(root);
      if (state.current) return;
      didWork = true;
      task.working(`npm ci (${state.reason})`, { key: 'npm-ci', typicalSeconds: TYPICAL_SECONDS.npm });
      await installNpmDependencies(root, { signal });
    });
  };

  const goLane = async () => {
    if (!needs.binaries) return;
    await progress.step('binaries from Go modules', async (task) => {
      if (builtLocalBinariesDir() && readyChartDir()) return;
      didWork = true;
      checkFreeSpace(cache, GO_BUILD.coldBytes, 'building the local binaries from Go modules');
      const expectedPackages = progress.timings.recordedCount('go-build:packages') ?? GO_BUILD.typicalPackages;
      task.working(`Kubernetes ${versions.kubernetes}, etcd, kwok, helm, kine, vcluster ${versions.vcluster}: downloading modules, then compiling`, estimateFor(progress.timings, 'go-build', GO_BUILD.typicalSeconds));
      let shown = 0;
      const build = await buildLocalBinaries({
        signal,
        onProgress: ({ downloaded, compiled }) => {
          // The heartbeat shows the counts; a line every 500 packages shows it moving between beats.
          task.setDetail(`compiling: ${compiled} of about ${expectedPackages} packages (${downloaded} modules downloaded)`);
          if (compiled - shown >= 500) {
            shown = compiled;
            task.note(`compiled ${compiled} of about ${expectedPackages} packages`);
          }
        },
      });
      // Only a cold build is the next cold build's estimate; one that found most packages in Go's
      // build cache (a version bump, a changed flag) took a fraction of it.
      if (build.packages >= expectedPackages / 2) {
        progress.timings.record('go-build', build.seconds);
        progress.timings.recordCount('go-build:packages', build.packages);
      }
      if (build.built) task.note(`${build.packages} package${build.packages === 1 ? '' : 's'} compiled in ${formatDuration(build.seconds * 1000)}, peak ${build.peakRssMiB} MiB in one process`);
      await releaseChart(signal);
    });
  };

  await Promise.allSettled([run(machineLane), run(npmLane), run(goLane)]);
  if (firstFailure) throw firstFailure;
  return { seconds: progress.elapsed() / 1000, didWork };
}

/** For entry points: runs the set-up, prints a SetupProblem as one clear message, exits on failure. */
export async function ensureSetupOrExit(purpose) {
  try {
    const result = await ensureSetup(purpose);
    process.stdout.write(`[setup] ${result.didWork ? 'ready' : 'all set'} in ${formatDuration(result.seconds * 1000)}\n`);
    return result;
  } catch (error) {
    // SetupError (test/env) and SetupProblem both carry a message written for the user.
    if (error instanceof SetupProblem || error?.name === 'SetupError') {
      process.stderr.write(`[setup] ${error.message}\n`);
    } else {
      process.stderr.write(`[setup] ${error?.stack ?? error}\n`);
    }
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const purpose = process.argv[2] ?? 'test';
  await ensureSetupOrExit(purpose);
}
