// The Go toolchain builds the local host cluster and the vCluster parts from the module proxy.
// The machine's own Go is used as it is (GOTOOLCHAIN=local): offline, Go cannot fetch another.
import { SetupProblem } from './errors.mjs';
import { runProgram } from './system.mjs';

/** "go version go1.26.8 linux/amd64" → [1, 26, 8] ("go1.26" → [1, 26, 0]); undefined when it is not one. */
export function parseGoVersion(text) {
  const match = /\bgo(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

/** Whether `found` ([major, minor, patch]) is at least `minimum` ("1.26.5"). */
export function goVersionAtLeast(found, minimum) {
  const wanted = minimum.split('.').map(Number);
  for (let index = 0; index < 3; index += 1) {
    const have = found[index] ?? 0;
    const want = wanted[index] ?? 0;
    if (have !== want) return have > want;
  }
  return true;
}

/** Checks `go version` against `minimum` ("1.25"); returns the version line. */
export async function checkGoToolchain(minimum, needFor) {
  const result = await runProgram('go', ['version'], { env: { ...process.env, GOTOOLCHAIN: 'local' }, timeoutMs: 60_000 });
  if (result.code === 'missing') {
    throw new SetupProblem(`The Go toolchain (go ${minimum} or newer) is not on PATH; it builds ${needFor}. Install it (https://go.dev/dl; Debian's golang-go is too old) and run again.`);
  }
  const found = parseGoVersion(result.output);
  if (result.code !== 0 || !found) {
    throw new SetupProblem(`\`go version\` failed (exit ${result.code}): ${result.output.trim().split('\n')[0] ?? ''}. Repair the Go installation and run again.`);
  }
  if (!goVersionAtLeast(found, minimum)) {
    throw new SetupProblem(`Go ${found.join('.')} is too old: ${needFor} need Go ${minimum} or newer. Install a newer Go (https://go.dev/dl) and run again.`);
  }
  return result.output.trim();
}
