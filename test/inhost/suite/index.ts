import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

/**
 * The in-host suite's entry: VS Code loads this module in the extension host (through
 * extensionTestsPath) and awaits run(). The same module serves code-server (web workbench
 * payload) and @vscode/test-electron (desktop VS Code). Counts go to the file named by
 * VCLUSTER_INHOST_RESULTS, because the extension host's console is not the runner's.
 */
export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  mocha.addFile(join(__dirname, 'extension.inhost.js'));
  const counts = { passed: 0, failed: 0, skipped: 0, failures: [] as string[] };
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', () => { counts.passed += 1; });
    runner.on('fail', (test, error: Error) => { counts.failed += 1; counts.failures.push(`${test.fullTitle()}: ${error.message}`); });
    runner.on('pending', () => { counts.skipped += 1; });
  });
  if (process.env.VCLUSTER_INHOST_RESULTS) writeFileSync(process.env.VCLUSTER_INHOST_RESULTS, JSON.stringify(counts));
  if (counts.failed > 0) throw new Error(`${counts.failed} in-host test(s) failed: ${counts.failures.join('; ')}`);
}
