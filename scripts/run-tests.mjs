#!/usr/bin/env node
// Runs one test tier with node's test runner (TypeScript through tsx) and writes its counts to
// test-output/counts-<tier>.json for the summary. Usage: node scripts/run-tests.mjs unit|integration|e2e [files…]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tiers = {
  unit: { dir: 'test/unit', pattern: /\.test\.ts$/, timeoutMs: 10 * 60_000, concurrency: 2 },
  integration: { dir: 'test/integration', pattern: /\.test\.ts$/, timeoutMs: 30 * 60_000, concurrency: 1 },
  e2e: { dir: 'test/e2e', pattern: /\.e2e\.test\.ts$/, timeoutMs: 30 * 60_000, concurrency: 1 },
};

function findFiles(dir, pattern) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findFiles(path, pattern);
    return pattern.test(name) ? [path] : [];
  }).sort();
}

export function countsFile(tier) {
  return join(root, 'test-output', `counts-${tier}.json`);
}

export async function runTier(tier, only = []) {
  const config = tiers[tier];
  if (!config) throw new Error(`unknown tier ${tier}; use one of ${Object.keys(tiers).join(', ')}`);
  mkdirSync(join(root, 'test-output'), { recursive: true });
  const output = countsFile(tier);
  rmSync(output, { force: true });
  const files = only.length > 0 ? only : findFiles(join(root, config.dir), config.pattern);
  if (files.length === 0) {
    console.log(`[${tier}] no test files in ${config.dir}`);
    return { passed: 0, failed: 0, skipped: 0, failures: [] };
  }
  if (tier === 'e2e') {
    // The E2E tier drives the packaged extension: build and package once for all its files.
    const { prepareExtensionPackage } = await import('./lib/prepare.mjs');
    await prepareExtensionPackage();
  }
  console.log(`[${tier}] ${files.length} file(s): ${files.map((file) => relative(root, file)).join(', ')}`);
  if (tier === 'integration' || tier === 'e2e') {
    // Global set-up: one real host cluster for the whole tier, torn down however the tier ends.
    const host = await startTestHost();
    try {
      return await runFiles(tier, config, files, output, { VCLUSTER_TEST_HOST_KUBECONFIG: host.kubeconfig, VCLUSTER_TEST_HOST_NAME: host.name });
    } finally {
      await host.stop();
    }
  }
  return runFiles(tier, config, files, output, {});
}

function clusterScript(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'cluster.ts'), ...args], {
      cwd: root, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      process.stdout.write(chunk);
    });
    // Building the binaries cold takes minutes; starting a built host takes seconds.
    const timer = setTimeout(() => child.kill('SIGKILL'), 45 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout });
    });
  });
}

async function startTestHost() {
  const name = `it-${process.pid}`;
  // Hosts of earlier runs that were killed before their tear-down.
  await clusterScript(['down', '--stale']);
  const up = await clusterScript(['up', '--name', name]);
  const kubeconfig = /^KUBECONFIG=(.+)$/m.exec(up.stdout)?.[1];
  if (up.code !== 0 || !kubeconfig) {
    await clusterScript(['down', '--name', name]);
    throw new Error(`the test host cluster did not start (exit ${up.code}); the lines above say why`);
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await clusterScript(['down', '--name', name]);
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => void stop().finally(() => process.exit(130)));
  }
  return { name, kubeconfig, stop };
}

async function runFiles(tier, config, files, output, extraEnv) {
  const args = [
    '--import', 'tsx',
    '--test',
    `--test-concurrency=${config.concurrency}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts', 'lib', 'count-reporter.mjs')}`, `--test-reporter-destination=${output}`,
    ...files,
  ];
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...extraEnv, VCLUSTER_TEST_TIER: tier } });
    const timer = setTimeout(() => {
      console.error(`[${tier}] tier did not finish within ${config.timeoutMs / 60_000} min: stopping it`);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, config.timeoutMs);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode ?? 1);
    });
  });
  const counts = existsSync(output)
    ? JSON.parse(readFileSync(output, 'utf8'))
    : { passed: 0, failed: 1, skipped: 0, failures: [`${tier} runner produced no counts (exit ${code})`] };
  if (code !== 0 && counts.failed === 0) {
    counts.failed = 1;
    counts.failures.push(`${tier} runner exited with ${code}`);
  }
  return counts;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [tier, ...only] = process.argv.slice(2);
  // Run on its own (`npm run test:unit` …): set up what this tier needs first.
  const { ensureSetupOrExit, PURPOSES } = await import('./setup/index.mjs');
  if (PURPOSES[tier]) await ensureSetupOrExit(tier);
  runTier(tier, only).then((counts) => {
    console.log(`${tier}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
    process.exit(counts.failed > 0 ? 1 : 0);
  }, (error) => {
    console.error(error.message);
    process.exit(1);
  });
}
