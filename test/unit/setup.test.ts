// The set-up that `npm test` and `npm start` run on a fresh clone (scripts/setup): its progress
// lines and estimates, and each check's answer to bad input. Programs are real (node, go, a real
// non-root user); where a machine state cannot be made here (an old Go), a FAKE program stands in
// and is named so.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
// @ts-expect-error -- plain .mjs module without type declarations
import { formatDuration, SetupProgress, StepTimings } from '../../scripts/setup/progress.mjs';
// @ts-expect-error -- plain .mjs module without type declarations
import { checkGoToolchain, goVersionAtLeast, parseGoVersion } from '../../scripts/setup/goToolchain.mjs';
// @ts-expect-error -- plain .mjs module without type declarations
import { npmDependenciesCurrent } from '../../scripts/setup/npmDependencies.mjs';
// @ts-expect-error -- plain .mjs module without type declarations
import { installCommand, missingPackages } from '../../scripts/setup/debian.mjs';
// @ts-expect-error -- plain .mjs module without type declarations
import { checkFreeSpace, freeBytes, GIB } from '../../scripts/setup/disk.mjs';
import { KUBELET_RESTART_POLICY, nextRestartDelay } from '../../test/env/restartPolicy';

const scratch = mkdtempSync(join(tmpdir(), 'setup-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const root = join(__dirname, '..', '..');

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('set-up progress', () => {
  it('formats durations a person reads at a glance', () => {
    assert.equal(formatDuration(12_340), '12.3 s');
    assert.equal(formatDuration(65_000), '1 m 05 s');
    assert.equal(formatDuration(545_400), '9 m 05 s');
  });

  it('numbers steps, says "ok" for a step with nothing to do, and times one that worked', async () => {
    const lines: string[] = [];
    const clock = fakeClock();
    const timings = new StepTimings(join(scratch, 'timings-1.json'));
    const progress = new SetupProgress({ total: 2, timings, write: (line: string) => lines.push(line), now: clock.now });
    await progress.step('npm dependencies', async () => undefined);
    await progress.step('code-server', async (task: { working: (detail: string, estimate: object) => void }) => {
      task.working('npm install', { key: 'code-server', typicalSeconds: 80 });
      clock.advance(75_000);
    });
    assert.deepEqual(lines, [
      '[setup 1/2] npm dependencies: ok',
      '[setup 2/2] code-server: npm install (about 1 m 20 s, typical on 2 cores) …',
      '[setup 2/2] code-server: done in 1 m 15 s',
    ]);
    // The next run estimates from what this machine took, not the typical figure.
    const again = new StepTimings(join(scratch, 'timings-1.json'));
    assert.equal(again.recorded('code-server'), 75);
  });

  it('beats while a step runs: elapsed, what is left, and when it runs over', async () => {
    const clock = fakeClock();
    const timings = new StepTimings(join(scratch, 'timings-2.json'));
    timings.record('go:kubernetes', 300);
    const progress = new SetupProgress({ total: 5, timings, write: () => undefined, now: clock.now });
    let seen: string[] = [];
    await progress.step('binaries from Go modules', async (task: { working: (detail: string, estimate: object) => void }) => {
      task.working('Kubernetes: compiling', { key: 'go:kubernetes', typicalSeconds: 100 });
      clock.advance(120_000);
      seen = progress.heartbeatLines();
      clock.advance(240_000);
      seen.push(...progress.heartbeatLines());
    });
    assert.match(seen[0]!, /^\[setup 1\/5\] binaries from Go modules: still Kubernetes: compiling, 2 m 00 s, about 3 m 00 s left/);
    assert.match(seen[1]!, /6 m 00 s, longer than the 5 m 00 s estimated/);
    assert.deepEqual(progress.heartbeatLines(), [], 'nothing is running any more');
  });

  it('prints its heartbeat on a timer while a step works, and stops it after', async () => {
    const lines: string[] = [];
    const progress = new SetupProgress({ total: 1, timings: new StepTimings(join(scratch, 'timings-3.json')), write: (line: string) => lines.push(line), heartbeatMs: 20 });
    await progress.step('slow step', async (task: { working: (detail: string) => void }) => {
      task.working('waiting');
      await new Promise((resolve) => setTimeout(resolve, 130));
    });
    const beats = lines.filter((line) => line.includes('still waiting'));
    assert.ok(beats.length >= 3, `heartbeats while running: ${lines.join(' | ')}`);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(lines.filter((line) => line.includes('still waiting')).length, beats.length, 'no heartbeat after the step ended');
  });

  it('a failing step says so with its time and passes the error on', async () => {
    const lines: string[] = [];
    const progress = new SetupProgress({ total: 1, timings: new StepTimings(join(scratch, 'timings-4.json')), write: (line: string) => lines.push(line) });
    await assert.rejects(progress.step('npm dependencies', async () => {
      throw new Error('registry unreachable');
    }), /registry unreachable/);
    assert.match(lines.at(-1)!, /^\[setup 1\/1\] npm dependencies: FAILED after/);
  });

  it('a damaged timings file counts as empty and is replaced on the next record', () => {
    const file = join(scratch, 'timings-5.json');
    writeFileSync(file, '{ not json');
    const timings = new StepTimings(file);
    assert.equal(timings.recorded('npm-ci'), undefined);
    timings.record('npm-ci', 24.96);
    assert.equal(JSON.parse(readFileSync(file, 'utf8'))['npm-ci'].seconds, 25);
  });
});

describe('set-up checks', () => {
  it('reads and compares Go versions, patch included', () => {
    assert.deepEqual(parseGoVersion('go version go1.26.8 linux/amd64'), [1, 26, 8]);
    assert.deepEqual(parseGoVersion('go version go1.27 linux/amd64'), [1, 27, 0]);
    assert.equal(parseGoVersion('bash: go: command not found'), undefined);
    assert.equal(goVersionAtLeast([1, 26, 8], '1.26.5'), true);
    assert.equal(goVersionAtLeast([1, 26, 4], '1.26.5'), false);
    assert.equal(goVersionAtLeast([1, 27, 0], '1.26.5'), true);
    assert.equal(goVersionAtLeast([1, 25, 9], '1.26'), false);
  });

  it('no Go on PATH: one line saying what to install', async () => {
    const saved = process.env.PATH;
    process.env.PATH = join(scratch, 'empty-path');
    try {
      await assert.rejects(checkGoToolchain('1.26.5', 'the local host cluster'), (error: Error) => {
        assert.equal(error.name, 'SetupProblem');
        assert.match(error.message.split('\n')[0]!, /^The Go toolchain \(go 1\.26\.5 or newer\) is not on PATH; it builds the local host cluster\. Install it/);
        return true;
      });
    } finally {
      process.env.PATH = saved;
    }
  });

  it('a Go that is too old is named with what it cannot build (FAKE go: no old Go is installed here)', async () => {
    const bin = join(scratch, 'old-go');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'go'), '#!/bin/sh\n# FAKE go: prints an old version\necho "go version go1.22.12 linux/amd64"\n');
    chmodSync(join(bin, 'go'), 0o755);
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved}`;
    try {
      await assert.rejects(checkGoToolchain('1.26.5', 'vcluster v0.36.1 and kine'), (error: Error) => {
        assert.match(error.message, /^Go 1\.22\.12 is too old: vcluster v0\.36\.1 and kine need Go 1\.26\.5 or newer\. Install a newer Go/);
        return true;
      });
    } finally {
      process.env.PATH = saved;
    }
  });

  it('the real Go of this machine passes', async () => {
    assert.match(await checkGoToolchain('1.20', 'tests'), /^go version go1\.\d+/);
  });

  it('npm dependencies: missing, stale, current by stamp, and current when installed by hand', () => {
    const project = join(scratch, 'project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'package-lock.json'), '{"lockfileVersion":3,"packages":{}}');
    assert.deepEqual(npmDependenciesCurrent(project), { current: false, reason: 'node_modules is missing' });
    mkdirSync(join(project, 'node_modules'));
    // npm's own hidden lock, older than package-lock.json: a stale install.
    writeFileSync(join(project, 'node_modules', '.package-lock.json'), '{}');
    utimesSync(join(project, 'node_modules', '.package-lock.json'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    assert.deepEqual(npmDependenciesCurrent(project), { current: false, reason: 'node_modules is older than package-lock.json' });
    // `npm ci` run by hand: its hidden lock is newer; that counts, and a stamp is written.
    utimesSync(join(project, 'node_modules', '.package-lock.json'), new Date(), new Date(Date.now() + 1_000));
    assert.deepEqual(npmDependenciesCurrent(project), { current: true });
    assert.ok(existsSync(join(project, 'node_modules', '.vcluster-vscode-setup.json')));
    // The lock file changes (a pull): the stamp no longer matches, whatever the times say.
    writeFileSync(join(project, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"x":{}}}');
    assert.deepEqual(npmDependenciesCurrent(project), { current: false, reason: 'package-lock.json changed since the last install' });
  });

  it('this clone\'s node_modules is current (the tier runs after the set-up)', () => {
    assert.deepEqual(npmDependenciesCurrent(root), { current: true });
  });

  it('machine packages: found by command or file, missing ones named', async () => {
    const missing = await missingPackages([
      { package: 'node-itself', command: 'node' },
      { package: 'no-such-tool', command: 'definitely-not-a-command-xyz' },
      { package: 'a-file', file: process.execPath },
      { package: 'no-file', file: join(scratch, 'nothing-here') },
    ]);
    assert.deepEqual(missing, ['no-such-tool', 'no-file']);
    assert.equal(installCommand(['chromium', 'ripgrep']), 'sudo apt-get install -y --no-install-recommends chromium ripgrep');
  });

  it('not root: missing machine packages stop set-up with the exact apt-get line (run as the real user nobody)', { skip: process.getuid?.() !== 0 ? 'needs root to run a child as another user' : false }, () => {
    // A copy the other user can read (the clone may sit in a folder only root can enter).
    const copy = mkdtempSync(join(tmpdir(), 'setup-nobody-'));
    try {
      for (const file of ['debian.mjs', 'errors.mjs', 'system.mjs']) copyFileSync(join(root, 'scripts', 'setup', file), join(copy, file));
      chmodSync(copy, 0o755);
      const script = `import('${join(copy, 'debian.mjs')}').then((m) => m.installPackages(['chromium', 'fonts-liberation'])).then(() => console.log('installed?!'), (e) => console.log(e.name + ': ' + e.message))`;
      const result = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: tmpdir(), timeout: 30_000 });
      assert.equal(result.stdout.trim(), 'SetupProblem: Missing machine packages: chromium, fonts-liberation. Run as root, or install them first: sudo apt-get install -y --no-install-recommends chromium fonts-liberation');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('disk space: says how much is needed and where, or passes', () => {
    assert.throws(() => checkFreeSpace('/var/cache/x', 6 * GIB, 'building Kubernetes', 2.5 * GIB), (error: Error) => {
      assert.match(error.message, /^Not enough disk space for building Kubernetes: about 6\.0 GiB is needed under \/var\/cache\/x, 2\.5 GiB is free\. Free some space, or set VCLUSTER_VSCODE_CACHE/);
      return true;
    });
    const free = freeBytes(scratch);
    assert.ok(free > 0);
    assert.ok(checkFreeSpace(scratch, 1, 'a byte') >= 1, 'enough room passes and returns what is free');
    assert.throws(() => checkFreeSpace(scratch, free * 4, 'more than the disk holds'), /Not enough disk space for more than the disk holds/);
  });
});

describe('restarts like kubelet', () => {
  it('waits 10 s, doubling to 5 min, and starts over after 10 min up', () => {
    const delays: number[] = [];
    let delay: number | undefined;
    for (let exit = 0; exit < 7; exit += 1) {
      delay = nextRestartDelay(delay, 2_000);
      delays.push(delay / 1000);
    }
    assert.deepEqual(delays, [10, 20, 40, 80, 160, 300, 300]);
    assert.equal(nextRestartDelay(300_000, KUBELET_RESTART_POLICY.resetAfterMs), 10_000, 'a run of 10 min resets the back-off');
    assert.equal(nextRestartDelay(40_000, KUBELET_RESTART_POLICY.resetAfterMs - 1), 80_000);
  });
});
