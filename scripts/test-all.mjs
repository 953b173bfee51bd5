#!/usr/bin/env node
// `npm test`: type-check, lint, then every test tier; ends with one summary line
// "tests: N passed, N failed, N skipped". Exits non-zero if any step failed.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTier } from './run-tests.mjs';
import { ensureSetupOrExit } from './setup/index.mjs';
import { formatDuration } from './setup/progress.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// A fresh clone is set up here (npm ci, machine packages, code-server, the Go builds); a warm
// machine only checks, in about a second.
const setup = await ensureSetupOrExit('test');

function npmScript(name) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', name], { cwd: root, stdio: 'inherit' });
    child.on('close', (code) => resolve(code ?? 1));
    child.on('error', () => resolve(1));
  });
}

const rows = [['set-up', setup.didWork ? 'installed and built what was missing' : 'all set', formatDuration(setup.seconds * 1000)]];
let failedChecks = 0;
for (const check of ['typecheck', 'lint']) {
  const started = Date.now();
  const code = await npmScript(check);
  if (code !== 0) failedChecks += 1;
  rows.push([check, code === 0 ? 'ok' : `FAILED (exit ${code})`, `${((Date.now() - started) / 1000).toFixed(1)} s`]);
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
for (const tier of ['unit', 'integration', 'e2e']) {
  const started = Date.now();
  let counts;
  try {
    counts = await runTier(tier);
  } catch (error) {
    counts = { passed: 0, failed: 1, skipped: 0, failures: [`${tier}: ${error.message}`] };
  }
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
  failures.push(...counts.failures.map((name) => `${tier}: ${name}`));
  rows.push([tier, `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`, `${((Date.now() - started) / 1000).toFixed(1)} s`]);
}

console.log('\n| step | result | time |\n| --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
if (failures.length > 0) console.log(`\nFailed:\n${failures.map((name) => `- ${name}`).join('\n')}`);
if (failedChecks > 0) console.log(`\n${failedChecks} check(s) failed (type-check or lint).`);
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || failedChecks > 0 ? 1 : 0);
