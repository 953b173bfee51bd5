// Runs the same in-host mocha suite (test/inhost/suite) in a desktop VS Code through
// @vscode/test-electron, for machines that have one. It cannot download VS Code on this offline
// machine, so it needs VSCODE_EXECUTABLE (the path of a desktop VS Code, 1.99 or newer).
// In CI here the suite runs inside code-server instead (test/e2e/inhost.e2e.test.ts).
import { runTests } from '@vscode/test-electron';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInHostSuite } from './build';

async function main(): Promise<void> {
  const executable = process.env.VSCODE_EXECUTABLE;
  if (!executable) {
    console.error('Set VSCODE_EXECUTABLE to a desktop VS Code (e.g. /usr/share/code/code) to run the in-host suite with @vscode/test-electron.');
    process.exit(2);
  }
  const root = join(__dirname, '..', '..');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'esbuild.js')], { stdio: 'inherit' });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`build failed (${code})`))));
  });
  const suite = await buildInHostSuite(root);
  const scratch = mkdtempSync(join(tmpdir(), 'vcluster-electron-'));
  try {
    const results = join(scratch, 'results.json');
    process.env.VCLUSTER_INHOST_RESULTS = results;
    const code = await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: root,
      extensionTestsPath: suite,
      launchArgs: [scratch, '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${join(scratch, 'user-data')}`],
      extensionTestsEnv: { VCLUSTER_INHOST_RESULTS: results, KUBECONFIG: join(scratch, 'none') },
    });
    console.log(`in-host suite (desktop VS Code) exited with ${code}`);
    process.exit(code);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
