// The connections file is shared: every window of the extension (each its own extension host
// process) and kubectl in their terminals write it. Read-modify-write without a lock lost entries
// (50 of 50 runs in one process; 42 of 80 kept with two processes). Now: kubectl's lock file and a
// queue per file. Real processes, real files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileLockTimeoutError, withFileLock } from '../../src/kube/fileLock';
import { ConnectionsKubeconfig } from '../../src/vcluster/connect/connectionsKubeconfig';
import { loadKubeconfigFormat } from './builders/kubeconfig';

const entry = (name: string) => ({
  clusters: [{ name, cluster: { server: 'https://127.0.0.1:1' } }],
  users: [{ name, user: { token: name } }],
  contexts: [{ name, context: { cluster: name, user: name } }],
});

function runWriter(path: string, prefix: string, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'unit', 'support', 'connectionsWriter.ts'), path, prefix, String(count)], { stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('exit', (code) => { clearTimeout(timer); resolve(code ?? -1); });
  });
}

describe('faults: the shared connections file never loses an entry', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'vcluster-connections-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('two writes at once in one process: both kept, 50 times out of 50', async () => {
    for (let run = 0; run < 50; run += 1) {
      const file = new ConnectionsKubeconfig(join(scratch, `one-process-${run}`, 'vclusters.kubeconfig'), loadKubeconfigFormat);
      await Promise.all([file.upsert(entry('a')), file.upsert(entry('b')), file.remove('missing')]);
      assert.deepEqual((await file.contextNames()).sort(), ['a', 'b'], `run ${run}`);
    }
  });

  it('2 processes × 100 operations (67 adds, then 33 removes, each): 0 lost, 0 resurrected, no lock left', async () => {
    const path = join(scratch, 'race', 'vclusters.kubeconfig');
    const codes = await Promise.all([runWriter(path, 'window-a', 67), runWriter(path, 'window-b', 67)]);
    assert.deepEqual(codes, [0, 0]);
    const expected = ['window-a', 'window-b'].flatMap((prefix) => Array.from({ length: 34 }, (_, index) => `${prefix}-${index * 2}`)).sort();
    const names = (await new ConnectionsKubeconfig(path, loadKubeconfigFormat).contextNames()).sort();
    assert.equal(names.length, expected.length, `kept ${names.length} of ${expected.length}`);
    assert.deepEqual(names, expected);
    assert.equal(existsSync(`${path}.lock`), false);
  });

  it('waits for a lock kubectl holds, and writes once it is released', async () => {
    const path = join(scratch, 'held', 'vclusters.kubeconfig');
    const file = new ConnectionsKubeconfig(path, loadKubeconfigFormat);
    await file.upsert(entry('first'));
    writeFileSync(`${path}.lock`, '');
    let done = false;
    const writing = file.upsert(entry('second')).then(() => { done = true; });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(done, false, 'the write waits while the lock is held');
    rmSync(`${path}.lock`);
    await writing;
    assert.deepEqual((await file.contextNames()).sort(), ['first', 'second']);
  });

  it('takes over a stale lock (a kubectl that died), and gives up on a live one with a clear error', async () => {
    const path = join(scratch, 'stale', 'vclusters.kubeconfig');
    await new ConnectionsKubeconfig(path, loadKubeconfigFormat).upsert(entry('first'));
    writeFileSync(`${path}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.lock`, old, old);
    await new ConnectionsKubeconfig(path, loadKubeconfigFormat).upsert(entry('second'));
    assert.equal(existsSync(`${path}.lock`), false);

    writeFileSync(`${path}.lock`, '');
    await assert.rejects(withFileLock(path, async () => 'never', { timeoutMs: 300 }), (error: Error) => {
      assert.ok(error instanceof FileLockTimeoutError);
      assert.match(error.message, /vclusters\.kubeconfig\.lock has been held .*remove the lock file/);
      return true;
    });
    rmSync(`${path}.lock`);
  });

  it('a failing action releases the lock and the queue goes on', async () => {
    const path = join(scratch, 'failing', 'k');
    await assert.rejects(withFileLock(path, async () => { throw new Error('boom'); }), /boom/);
    assert.equal(existsSync(`${path}.lock`), false);
    assert.equal(await withFileLock(path, async () => 'next'), 'next');
  });
});
