import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeCommand, ProcessCancelledError, ProcessFailedError, ProcessTimeoutError, ProgramNotFoundError, runProcess } from '../../src/process/run';
import { parseFirstVersion, parseKubectlVersion, probeTool } from '../../src/process/tools';

// These run real child processes (node itself), not stand-ins: spawning, killing and streaming
// are exactly what the module exists for.
const node = process.execPath;

describe('runProcess', () => {
  it('returns stdout and streams lines in order', async () => {
    const lines: string[] = [];
    const result = await runProcess(node, ['-e', 'console.log("one"); console.error("two"); process.stdout.write("three")'], {
      timeoutMs: 10_000,
      onLine: (line, stream) => lines.push(`${stream}:${line}`),
    });
    assert.equal(result.exitCode, 0);
    assert.equal(result.stdout, 'one\nthree');
    assert.ok(lines.includes('stdout:one') && lines.includes('stderr:two') && lines.includes('stdout:three'));
  });

  it('decodes a character split between two writes (kind prints emoji) whole, in the result and the lines', async () => {
    // "✓ Ensuring node image 📦" written byte by byte, 20 ms apart, so chunks split every character.
    const text = '✓ Ensuring node image 📦 ½';
    const script = `const b = Buffer.from(${JSON.stringify(text)}); let i = 0; const t = setInterval(() => { process.stdout.write(b.subarray(i, i + 1)); if (++i === b.length) clearInterval(t); }, 20);`;
    const lines: string[] = [];
    const result = await runProcess(node, ['-e', script], { timeoutMs: 10_000, onLine: (line) => lines.push(line) });
    assert.equal(result.stdout, text);
    assert.deepEqual(lines, [text]);
    assert.ok(!result.stdout.includes('\uFFFD'));
  });

  it('passes arguments without a shell: metacharacters stay literal', async () => {
    const tricky = '$(echo pwned); rm -rf / && `id` | cat > x';
    const result = await runProcess(node, ['-e', 'process.stdout.write(process.argv[1])', tricky], { timeoutMs: 10_000 });
    assert.equal(result.stdout, tricky);
  });

  it('fails with the last lines of stderr when the program exits non-zero', async () => {
    await assert.rejects(
      runProcess(node, ['-e', 'console.error("helm: release failed: boom"); process.exit(3)'], { timeoutMs: 10_000 }),
      (error: unknown) => error instanceof ProcessFailedError && /exited with code 3/.test(error.message) && /boom/.test(error.message) && error.result.exitCode === 3,
    );
  });

  it('says the program is missing', async () => {
    await assert.rejects(runProcess('definitely-not-a-program-xyz', ['--version'], { timeoutMs: 5_000 }), ProgramNotFoundError);
  });

  it('stops a program that outlives its time', async () => {
    const started = Date.now();
    await assert.rejects(runProcess(node, ['-e', 'setTimeout(() => {}, 60_000)'], { timeoutMs: 300 }), ProcessTimeoutError);
    assert.ok(Date.now() - started < 5_000, 'the timeout must end the wait promptly');
  });

  it('cancels on abort, and before start', async () => {
    const controller = new AbortController();
    const running = runProcess(node, ['-e', 'setTimeout(() => {}, 60_000)'], { timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(running, ProcessCancelledError);
    await assert.rejects(runProcess(node, ['-e', ''], { timeoutMs: 1_000, signal: AbortSignal.abort() }), ProcessCancelledError);
  });

  it('feeds stdin', async () => {
    const result = await runProcess(node, ['-e', 'process.stdin.pipe(process.stdout)'], { timeoutMs: 10_000, input: 'values: yes\n' });
    assert.equal(result.stdout, 'values: yes\n');
  });

  it('quotes only what needs quoting when describing a command for the log', () => {
    assert.equal(describeCommand('helm', ['upgrade', 'my vc', '--namespace', 'ns']), 'helm upgrade "my vc" --namespace ns');
  });
});

describe('tool versions', () => {
  it('parses the version lines of vcluster, helm and kind', () => {
    const result = (stdout: string) => ({ exitCode: 0, stdout, stderr: '' });
    assert.equal(parseFirstVersion(result('vcluster version 0.21.1\n')), '0.21.1');
    assert.equal(parseFirstVersion(result('v3.16.2+g13654a5\n')), 'v3.16.2+g13654a5');
    assert.equal(parseFirstVersion(result('kind v0.24.0 go1.22.6 linux/amd64\n')), 'v0.24.0');
    assert.equal(parseKubectlVersion(result('{"clientVersion":{"gitVersion":"v1.31.2"},"kustomizeVersion":"v5.4.2"}')), 'v1.31.2');
  });

  it('reports a missing tool with where it looked and what to install', async () => {
    const onPath = await probeTool('kind', '/nonexistent/kind-binary');
    assert.equal(onPath.version, undefined);
    assert.equal(onPath.problem, 'not found at /nonexistent/kind-binary');
    assert.match(onPath.installHint, /container engine/);
  });

  it('reports a tool that runs but fails', async () => {
    // node rejects `version --short` as a script path: a real program failing, not a fake.
    const status = await probeTool('helm', node);
    assert.equal(status.version, undefined);
    assert.match(status.problem ?? '', /exited with code/);
  });
});
