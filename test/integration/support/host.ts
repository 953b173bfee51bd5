// What integration tests get from the tier's global set-up (scripts/run-tests.mjs).
import { existsSync } from 'node:fs';

/** The kubeconfig of the local host cluster started for this test run. */
export function testHostKubeconfig(): string {
  const path = process.env.VCLUSTER_TEST_HOST_KUBECONFIG;
  if (!path || !existsSync(path)) {
    throw new Error('No test host: VCLUSTER_TEST_HOST_KUBECONFIG is not set to a file. Run integration tests with `npm run test:integration`, which starts one.');
  }
  return path;
}

/** The test host as the env fixtures take it: its cluster name and kubeconfig. */
export function testHost(): { name: string; kubeconfig: string } {
  const name = process.env.VCLUSTER_TEST_HOST_NAME;
  if (!name) throw new Error('No test host: VCLUSTER_TEST_HOST_NAME is not set. Run integration tests with `npm run test:integration`, which starts one.');
  return { name, kubeconfig: testHostKubeconfig() };
}

/** Polls until `probe` returns a value, at most `timeoutMs`; the error names what was awaited. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const reason = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${reason}`);
}
