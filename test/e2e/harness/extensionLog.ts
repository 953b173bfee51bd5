import { execFileSync } from 'node:child_process';
import type { RunningCodeServer } from '../../../scripts/lib/codeServer';

/**
 * With VCLUSTER_E2E_DEBUG_LOGS set, prints the end of the extension's output channel logs of a
 * code-server run. A debugging aid only: it never throws, so the clean-up after it always runs.
 */
export function dumpExtensionLog(server: RunningCodeServer | undefined, lines: number): void {
  if (!process.env.VCLUSTER_E2E_DEBUG_LOGS || !server) return;
  try {
    console.log(execFileSync('find', [`${server.userDataDir}/logs`, '-name', '*vCluster*', '-exec', 'tail', '-n', String(lines), '{}', '+'], { encoding: 'utf8' }));
  } catch (error) {
    console.log(`(no extension log: ${(error as Error).message})`);
  }
}
