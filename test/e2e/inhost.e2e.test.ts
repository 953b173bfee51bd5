import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { TempDir } from '../unit/builders/kubeconfig';
import { buildInHostSuite } from '../inhost/build';
import { startCodeServer, type RunningCodeServer } from '../../scripts/lib/codeServer';
import { CHROMIUM } from './harness/workbench';

/**
 * Runs the mocha suite in test/inhost inside code-server's extension host, the way VS Code's own
 * browser integration tests do: the workbench URL's `payload` names extensionDevelopmentPath
 * and extensionTestsPath as vscode-remote URIs, and the workbench reports the exit code through
 * window.codeAutomationExit.
 */
describe('in-host mocha suite in code-server', () => {
  const root = join(__dirname, '..', '..');
  const dir = new TempDir();
  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;

  after(async () => {
    await browser?.close();
    await server?.stop();
    dir.remove();
  });

  it('runs inside the extension host and passes', async () => {
    const suite = await buildInHostSuite(root);
    const results = join(dir.path, 'inhost-results.json');
    const workspace = join(dir.path, 'workspace');
    mkdirSync(workspace);
    server = await startCodeServer({
      workspaceFolder: workspace,
      installVsix: false,
      env: { VCLUSTER_INHOST_RESULTS: results, KUBECONFIG: join(dir.path, 'none') },
    });
    const remote = (path: string) => `vscode-remote://127.0.0.1:${server!.port}${path}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(root)],
      ['extensionTestsPath', remote(suite)],
      ['skipWelcome', 'true'],
    ]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    const page = await browser.newPage();
    const exitCode = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(remote(workspace))}&payload=${encodeURIComponent(payload)}`);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exitCode,
      new Promise<number>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the in-host suite did not finish within 120 s; server log:\n${server!.log().slice(-3000)}`)), 120_000);
      }),
    ]).finally(() => clearTimeout(timer));
    assert.ok(existsSync(results), `the suite wrote no results (exit ${code}); server log:\n${server.log().slice(-3000)}`);
    const counts = JSON.parse(readFileSync(results, 'utf8')) as { passed: number; failed: number; failures: string[] };
    assert.deepEqual(counts.failures, []);
    assert.ok(counts.passed >= 3, `passed ${counts.passed}`);
    assert.equal(code, 0);
  });
});
