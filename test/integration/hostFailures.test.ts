// Set-up failures must explain themselves: each case below is provoked for real and the message
// is checked for what the user needs to act on.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { goVersion, moduleGoMod } from '../env/goBuild';
import { cachedHostBinaries, type HostBinaries } from '../env/hostBinaries';
import { clusterDir, findProcesses, upHostCluster, validateClusterName } from '../env/hostCluster';
import { versions } from '../../scripts/lib/versions.mjs';

describe('host set-up failures', () => {
  let binaries: HostBinaries;
  let scratch: string;

  before(() => {
    const cached = cachedHostBinaries();
    assert.ok(cached, 'the tier set-up builds the host binaries before the tests run');
    binaries = cached;
    scratch = mkdtempSync(join(tmpdir(), 'host-failures-'));
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('a port in use: says which port and what to do, and starts nothing', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const name = `it-port-${process.pid}`;
    try {
      await assert.rejects(upHostCluster(binaries, { name, apiserverPort: port }), (error: Error) => {
        assert.match(error.message, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
        assert.match(error.message, /choose another port|leave the port out/);
        return true;
      });
      assert.equal(existsSync(clusterDir(name)), false);
    } finally {
      blocker.close();
    }
  });

  it('a binary that exits early: names it and shows its last log lines, and leaves no process behind', async () => {
    // A FAKE kube-apiserver (a shell script that reports its version like the real one, then fails
    // to start): the only way to make the real one exit on demand. The rest of the cluster is real.
    const fakeApiserver = join(scratch, 'kube-apiserver');
    writeFileSync(fakeApiserver, [
      '#!/bin/sh',
      `case "$1" in --version|version) echo "Kubernetes ${versions.kubernetes}"; exit 0;; esac`,
      'echo "simulated start-up failure: cannot reach etcd" >&2',
      'exit 1',
      '',
    ].join('\n'));
    chmodSync(fakeApiserver, 0o755);
    const name = `it-early-${process.pid}`;
    const started = Date.now();
    await assert.rejects(upHostCluster({ ...binaries, kubeApiserver: fakeApiserver }, { name }), (error: Error) => {
      assert.match(error.message, /did not start: a component exited early/);
      assert.match(error.message, /kube-apiserver exited early/);
      assert.match(error.message, /simulated start-up failure: cannot reach etcd/);
      return true;
    });
    // kwokctl alone would keep waiting for minutes; the watchdog stops it within seconds.
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    assert.equal(existsSync(clusterDir(name)), false, 'the failed cluster was removed');
    assert.deepEqual(findProcesses((argv) => argv[0]!.startsWith(clusterDir(name))), [], 'no component of the failed cluster is still running');
  });

  it('a failing kwokctl: its JSON error lines are turned into a readable message', async () => {
    const fakeEtcd = join(scratch, 'etcd');
    // FAKE etcd whose version query fails: kwokctl gives up while preparing its configuration.
    writeFileSync(fakeEtcd, '#!/bin/sh\necho "etcd: simulated broken binary" >&2\nexit 2\n');
    chmodSync(fakeEtcd, 0o755);
    await assert.rejects(upHostCluster({ ...binaries, etcd: fakeEtcd }, { name: `it-kwokctl-${process.pid}` }), (error: Error) => {
      assert.match(error.message, /kwokctl failed:\n\s+Failed to setup config: .*etcd.*exit status 2\netcd: simulated broken binary/);
      assert.doesNotMatch(error.message, /"level":/);
      return true;
    });
  });

  it('an invalid cluster name is refused before anything runs', () => {
    assert.throws(() => validateClusterName('My_Cluster'), /not a valid cluster name/);
    assert.throws(() => validateClusterName('../escape'), /not a valid cluster name/);
  });

  it('no Go toolchain: says to install Go', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/usr/bin:/bin';
    try {
      await assert.rejects(goVersion(), /The Go toolchain \(go\) is not on PATH\. Install Go/);
    } finally {
      process.env.PATH = path;
    }
  });

  it('a proxy that refuses a module: names the module, the answer and what to check', async () => {
    // A real refusal of the real proxy: this version is one it does not serve (kine v0.16 needs it).
    await assert.rejects(moduleGoMod('github.com/t4db/t4', 'v1.0.6'), (error: Error) => {
      assert.match(error.message.split('\n')[0]!, /^A Go module could not be downloaded: the proxy answered 40\d [\w ]+ for github\.com\/t4db\/t4@v1\.0\.6 .*GOPROXY=/);
      return true;
    });
  });

  it('a proxy that does not answer: names the proxy setting', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const saved = process.env.GOPROXY;
    process.env.GOPROXY = `http://127.0.0.1:${port}`;
    try {
      await assert.rejects(moduleGoMod('example.com/not-in-the-cache', 'v1.2.3'), (error: Error) => {
        assert.match(error.message.split('\n')[0]!, new RegExp(`^A Go module could not be downloaded .*GOPROXY=http://127\\.0\\.0\\.1:${port}\\) is reachable`));
        return true;
      });
    } finally {
      if (saved === undefined) delete process.env.GOPROXY;
      else process.env.GOPROXY = saved;
    }
  });

  it('a module version that cannot be downloaded: names the proxy and the pinned versions file', async () => {
    await assert.rejects(moduleGoMod('k8s.io/kubernetes', 'v1.99.99'), (error: Error) => {
      assert.match(error.message, /A Go module could not be downloaded/);
      assert.match(error.message, /scripts\/lib\/versions\.mjs/);
      assert.match(error.message, /v1\.99\.99/);
      return true;
    });
  });
});
