// A kubeconfig write that fails leaves nothing behind: not the temp file beside it, not a changed
// target. One real fault (a full tmpfs: the kernel's own ENOSPC) and injected ones at every step
// after the temp file exists (EIO from a FAKE file system, test/unit/support/faultyFileSystem.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeFileAtomically } from '../../src/kube/kubeconfigWrite';
import { ConnectionsKubeconfig } from '../../src/vcluster/connect/connectionsKubeconfig';
import { faultyFileSystem, type FaultStep } from './support/faultyFileSystem';
import { loadKubeconfigFormat } from './builders/kubeconfig';


function entry(name: string, keyBytes: number) {
  return {
    clusters: [{ name, cluster: { server: 'https://127.0.0.1:1', 'certificate-authority-data': 'Q0E=' } }],
    users: [{ name, user: { 'client-key-data': 'K'.repeat(keyBytes) } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
  };
}

describe('faults: a failed kubeconfig write leaves no temp file and the old file as it was', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'vcluster-faults-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  for (const step of ['write', 'sync', 'chmod', 'rename'] as FaultStep[]) {
    it(`EIO at ${step}`, async () => {
      const dir = mkdtempSync(join(scratch, `${step}-`));
      const target = join(dir, 'kubeconfig');
      writeFileSync(target, 'old: content\n', { mode: 0o600 });
      await assert.rejects(writeFileAtomically(target, 'new: content\n', faultyFileSystem({ step, crash: false, writtenFraction: 0.5 })), /injected fault/);
      assert.deepEqual(readdirSync(dir), ['kubeconfig']);
      assert.equal(readFileSync(target, 'utf8'), 'old: content\n');
    });
  }

  const canMount = process.getuid?.() === 0 && process.platform === 'linux';
  it('a real ENOSPC: the connections file on a full 64 KiB tmpfs', { skip: canMount ? false : 'needs root on Linux to mount a small tmpfs' }, async (t) => {
    const mountPoint = mkdtempSync(join(scratch, 'tmpfs-'));
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mountPoint], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      t.skip(`mount refused here: ${mounted.stderr.trim()}`);
      return;
    }
    try {
      const path = join(mountPoint, 'vclusters.kubeconfig');
      const file = new ConnectionsKubeconfig(path, loadKubeconfigFormat);
      await file.upsert(entry('first', 100));
      const before = readFileSync(path, 'utf8');
      // Most of the rest of the disk taken, then an entry too large for what is left.
      writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(40 * 1024));
      await assert.rejects(file.upsert(entry('second', 40 * 1024)), (error: NodeJS.ErrnoException) => error.code === 'ENOSPC');
      assert.deepEqual(readdirSync(mountPoint).sort(), ['filler', 'vclusters.kubeconfig']);
      assert.equal(readFileSync(path, 'utf8'), before);
      assert.deepEqual(await file.contextNames(), ['first']);
    } finally {
      spawnSync('umount', [mountPoint]);
    }
  });
});
