import { execFileSync } from 'node:child_process';
import type { RunningCodeServer } from '../../../scripts/lib/codeServer';

let failedTests = 0;

/** The extension's output channel logs of a code-server run so far, every window's, joined. */
export function extensionLogText(server: RunningCodeServer): string {
  try {
    return execFileSync('find', [`${server.userDataDir}/logs`, '-name', '*vCluster*', '-type', 'f', '-exec', 'cat', '{}', '+'], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

/**
 * For afterEach: counts the tests that failed, so the clean-up prints the extension's log then.
 * The CI log is all that is left of a failed run on a fresh clone.
 */
export function noteTestResult(context: object): void {
  if ('passed' in context && context.passed === false) failedTests += 1;
}

/**
 * Prints the end of the extension's output channel logs of a code-server run when a test of this
 * file failed (see noteTestResult), or always with VCLUSTER_E2E_DEBUG_LOGS set. A debugging aid
 * only: it never throws, so the clean-up after it always runs.
 */
export function dumpExtensionLog(server: RunningCodeServer | undefined, lines: number): void {
  if ((!process.env.VCLUSTER_E2E_DEBUG_LOGS && failedTests === 0) || !server) return;
  try {
    console.log(execFileSync('find', [`${server.userDataDir}/logs`, '-name', '*vCluster*', '-exec', 'tail', '-n', String(lines), '{}', '+'], { encoding: 'utf8' }));
  } catch (error) {
    console.log(`(no extension log: ${(error as Error).message})`);
  }
}
