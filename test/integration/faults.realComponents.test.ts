// Real faults with the real components (issue 16): helm killed by a signal in the middle of a
// create; a vCluster's pod deleted under a live port-forward; the host's kube-apiserver killed and
// started again under a running watch; a real 410 Gone (etcd compacted while the API server was
// down). No fake server: the local host, its node agent, its etcd, the real helm, chart and syncer.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, kubeConfigForContext } from '../../src/kube/client';
import { loadKubeconfig, type KubeconfigDocument } from '../../src/kube/kubeconfig';
import { watchList } from '../../src/kube/watch';
import { MemoryLogger } from '../../src/process/log';
import { runProcess } from '../../src/process/run';
import { CreateInterruptedError } from '../../src/vcluster/lifecycle/vclusterLifecycle';
import * as core from '../../src/coreBundle';
import { ConnectionsKubeconfig } from '../../src/vcluster/connect/connectionsKubeconfig';
import { ensureHostBinaries } from '../env/hostBinaries';
import { assertPortFree, clusterDir, downHostCluster, findProcesses, isAlive, upHostCluster } from '../env/hostCluster';
import { ensureVClusterBinaries, type VClusterBinaries } from '../env/vclusterBinaries';
import { removeVCluster, upVCluster, waitForVirtualApi } from '../env/vclusterFixture';
import { testHost, waitFor } from './support/host';
import { createVClusterServices, type VClusterServices } from '../../src/vcluster/vclusterServices';

/**
 * Kills a local host's kube-apiserver with SIGKILL; `start` starts it again with the same command
 * line, as kwokctl started it, and waits until it answers.
 */
async function killApiServer(cluster: string, server: string): Promise<{ etcd: string; start(client: KubeClient): Promise<void> }> {
  const pid = Number(readFileSync(join(clusterDir(cluster), 'pids', 'kube-apiserver.pid'), 'utf8').trim());
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const etcd = argv.find((arg) => arg.startsWith('--etcd-servers='))?.slice('--etcd-servers='.length).split(',')[0] ?? '';
  process.kill(pid, 'SIGKILL');
  await waitFor('the API server to be gone', 10_000, async () => (isAlive(pid) ? undefined : true), 50);
  // A killed multi-threaded process holds its port until its last thread is gone.
  const port = Number(new URL(server).port);
  await waitFor('its port to be free', 30_000, async () => assertPortFree(port).then(() => true, () => undefined), 100);
  return {
    etcd,
    async start(client) {
      const logFile = join(clusterDir(cluster), 'logs', 'kube-apiserver-restarted.log');
      const log = openSync(logFile, 'a');
      // Detached and left to `downHostCluster`, which kills whatever runs from the cluster's folder.
      spawn(argv[0]!, argv.slice(1), { cwd: clusterDir(cluster), detached: true, stdio: ['ignore', log, log] }).unref();
      closeSync(log);
      await waitFor('the API server to answer again', 60_000, async () => client.getJson('/version', {}, AbortSignal.timeout(2_000)).then(() => true, () => undefined), 250)
        .catch((error: Error) => {
          throw new Error(`${error.message}; its log:\n${readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')}`);
        });
    },
  };
}

/** One call of etcd's JSON gateway (`/v3/...`), which etcd serves beside gRPC on its client URL. */
async function etcdCall(etcd: string, path: string, body: unknown): Promise<{ header?: { revision?: string } }> {
  const response = await fetch(`${etcd}${path}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`etcd ${path}: ${response.status} ${await response.text()}`);
  return await response.json() as { header?: { revision?: string } };
}

describe('real faults with the real components', () => {
  let binaries: VClusterBinaries;
  let document: KubeconfigDocument;
  let hostContext: string;
  let scratch: string;
  const logger = new MemoryLogger();

  function actions(): VClusterServices {
    return createVClusterServices({
      loadCoreBundle: async () => core,
      kubeconfig: () => ({ document, paths: [testHost().kubeconfig] }),
      tools: () => ({ helm: binaries.helm, vcluster: binaries.vcluster, preference: 'helm' }),
      chart: () => ({ localDir: binaries.chartDir }),
      connections: new ConnectionsKubeconfig(join(scratch, 'connections.kubeconfig'), async () => core),
      connectServers: () => ({}),
      logger,
      requestTimeoutMs: () => 5_000,
      provisionTimeoutMs: 180_000,
    });
  }

  before(async () => {
    binaries = await ensureVClusterBinaries();
    const loaded = await loadKubeconfig([testHost().kubeconfig]);
    assert.equal(loaded.state, 'ok');
    if (loaded.state !== 'ok') return;
    document = loaded.document;
    hostContext = loaded.contexts[0]!.name;
    scratch = mkdtempSync(join(tmpdir(), 'faults-real-'));
  });

  after(async () => {
    for (const name of ['killed', 'dropped']) await removeVCluster(testHost(), `faults-${name}`, name).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
    if (process.exitCode) console.log(logger.lines.slice(-30).join('\n'));
  });

  it('helm killed by SIGKILL in the middle of a create: the error says so and names exactly what it left', async () => {
    const ref = { hostContext, name: 'killed', namespace: 'faults-killed' };
    const services = actions();
    let killed = 0;
    // Killed from outside (as the OOM killer or a user would) at helm's first line of output:
    // after it started installing, before it finished.
    const error = await services.lifecycle.create({ ...ref, valuesFiles: [] }, {
      onLine: () => {
        if (killed) return;
        for (const pid of findProcesses((argv) => argv[0] === binaries.helm && argv.includes('upgrade') && argv.includes(ref.name))) {
          process.kill(pid, 'SIGKILL');
          killed = pid;
        }
      },
    }).then(() => undefined, (caught: Error) => caught);
    services.dispose();
    assert.ok(killed > 0, 'helm was found and killed');
    assert.ok(error instanceof CreateInterruptedError, `a CreateInterruptedError, got ${String(error)}`);
    assert.match(error.message, /^helm was killed by SIGKILL while creating vCluster killed/);
    // Whatever it says is left must be on the host, and what it does not name must not be.
    const release = await runProcess(binaries.helm, ['status', ref.name, '--namespace', ref.namespace, '--kubeconfig', testHost().kubeconfig], { timeoutMs: 30_000 }).then(() => true, () => false);
    assert.equal(error.message.includes(`Helm release ${ref.name}`), release, `the message and helm agree on the release: ${error.message}`);
    const client = new KubeClient(kubeConfigForContext(document, hostContext));
    const namespace = await client.getJson(`/api/v1/namespaces/${ref.namespace}`, {}, AbortSignal.timeout(5_000)).then(() => true, () => false);
    assert.equal(error.message.includes(`namespace ${ref.namespace} (created for it)`), namespace, `the message and the host agree on the namespace: ${error.message}`);
    if (release || namespace) assert.match(error.message, /"vCluster: Delete" \(or helm uninstall\) removes/);
  });

  it('a vCluster\'s pod deleted under a live port-forward: once its new pod answers, the same connection works again within 5 s', async () => {
    const name = 'dropped';
    const namespace = `faults-${name}`;
    await upVCluster({ cluster: testHost(), vcluster: binaries, name, namespace });
    const services = actions();
    try {
      const ref = { hostContext, name, namespace };
      const connection = await services.connector.connect(ref);
      assert.equal(connection.via, 'portForward');
      const connections = await loadKubeconfig([services.connector.connectionsFile]);
      if (connections.state !== 'ok') throw new Error('cannot read the connections file');
      const through = new KubeClient(kubeConfigForContext(connections.document, connection.context));
      let lastProblem = '';
      const ask = () => through.request('GET', '/api/v1/namespaces', {}, AbortSignal.timeout(2_000)).then(() => true, (error: Error) => {
        lastProblem = error.message;
        return false;
      });
      assert.equal(await ask(), true);

      const host = new KubeClient(kubeConfigForContext(document, hostContext));
      await host.request('DELETE', `/api/v1/namespaces/${namespace}/pods/${name}-0`, {}, AbortSignal.timeout(5_000));
      await waitFor('the port-forward to fail while the pod is gone', 60_000, async () => ((await ask()) ? undefined : true), 250);
      // The StatefulSet makes a new pod; the node agent starts its syncer at the new pod IP.
      const { kubeconfig } = await waitForVirtualApi({ cluster: testHost(), name, namespace, timeoutMs: 120_000 });
      // The new syncer answers straight at its pod IP three times in a row: it has started.
      const direct = new KubeConfig();
      direct.loadFromFile(kubeconfig);
      const directClient = new KubeClient(direct);
      let inRow = 0;
      await waitFor('the new syncer to answer steadily', 60_000, async () => {
        inRow = await directClient.request('GET', '/api/v1/namespaces', {}, AbortSignal.timeout(2_000)).then(() => inRow + 1, () => 0);
        return inRow >= 3 ? true : undefined;
      }, 200);
      const answeredAt = Date.now();
      await waitFor('the same connection to answer again', 5_000, async () => ((await ask()) ? true : undefined), 100)
        .catch((error: Error) => {
          throw new Error(`${error.message}; the last answer through the port-forward: ${lastProblem}`);
        });
      console.log(`    the port-forward answered again ${Date.now() - answeredAt} ms after the new pod did`);
    } finally {
      services.dispose();
    }
  });

  it('the host\'s kube-apiserver killed and started again under a running watch: the watch resumes by itself and sees what changed', async () => {
    const hostBinaries = await ensureHostBinaries();
    const name = `it-faults-${process.pid}`;
    const abort = new AbortController();
    try {
      const cluster = await upHostCluster(hostBinaries, { name, nodes: 1, nodeAgent: false });
      const loaded = await loadKubeconfig([cluster.kubeconfig]);
      if (loaded.state !== 'ok') throw new Error('cannot read the fault host\'s kubeconfig');
      const client = new KubeClient(kubeConfigForContext(loaded.document, loaded.contexts[0]!.name));
      const seen = new Set<string>();
      let relists = 0;
      void watchList(client, '/api/v1/namespaces/default/configmaps', {}, {
        onRelist: (items) => {
          relists++;
          for (const item of items) seen.add(item.metadata?.name ?? '');
        },
        onEvent: (type, object) => {
          if (type === 'ADDED') seen.add(object.metadata?.name ?? '');
        },
      }, abort.signal);
      await client.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'before' } } }, AbortSignal.timeout(5_000));
      await waitFor('the watch to see "before"', 30_000, async () => (seen.has('before') ? true : undefined), 100);

      const restart = await killApiServer(name, cluster.server);
      await restart.start(client);
      await client.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'after' } } }, AbortSignal.timeout(5_000));
      await waitFor('the same watch to see "after"', 60_000, async () => (seen.has('after') ? true : undefined), 100);
      console.log(`    lists: ${relists} (a second one means the watch was answered 410 Gone and listed again)`);
      assert.ok(relists >= 1, 'it listed at least once');
    } finally {
      abort.abort();
      await downHostCluster(name, hostBinaries);
    }
  });

  it('a real 410 Gone: etcd compacted past the watch\'s version while the API server was down; the watch lists again by itself and goes on', async () => {
    const hostBinaries = await ensureHostBinaries();
    const name = `it-gone-${process.pid}`;
    const abort = new AbortController();
    try {
      // Without the watch cache the API server resumes a watch from etcd itself, so etcd's
      // compaction reaches the client as it would after a long enough outage: 410 Gone.
      const cluster = await upHostCluster(hostBinaries, { name, nodes: 1, nodeAgent: false, apiserverArgs: ['watch-cache=false'] });
      const loaded = await loadKubeconfig([cluster.kubeconfig]);
      if (loaded.state !== 'ok') throw new Error('cannot read the fault host\'s kubeconfig');
      const client = new KubeClient(kubeConfigForContext(loaded.document, loaded.contexts[0]!.name));
      const seen = new Set<string>();
      let lists = 0;
      const errors: string[] = [];
      void watchList(client, '/api/v1/namespaces/default/configmaps', {}, {
        onRelist: (items) => {
          lists++;
          for (const item of items) seen.add(item.metadata?.name ?? '');
        },
        onEvent: (type, object) => {
          if (type === 'ADDED') seen.add(object.metadata?.name ?? '');
        },
        onError: (error) => errors.push((error as Error).message),
      }, abort.signal);
      await client.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'before' } } }, AbortSignal.timeout(5_000));
      await waitFor('the watch to see "before"', 30_000, async () => (seen.has('before') ? true : undefined), 100);
      assert.equal(lists, 1);

      const restart = await killApiServer(name, cluster.server);
      assert.match(restart.etcd, /^http:\/\/127\.0\.0\.1:\d+$/, `etcd's client URL: ${restart.etcd}`);
      // Writes move etcd past the watch's version; compacting there drops the history it would resume from.
      let revision = '0';
      for (let index = 0; index < 3; index++) {
        revision = (await etcdCall(restart.etcd, '/v3/kv/put', { key: Buffer.from(`/fault-test/${index}`).toString('base64'), value: Buffer.from('x').toString('base64') })).header?.revision ?? revision;
      }
      await etcdCall(restart.etcd, '/v3/kv/compaction', { revision, physical: true });
      await restart.start(client);
      await waitFor('the watch to be answered 410 Gone and list again', 60_000, async () => (lists >= 2 ? true : undefined), 100);
      await client.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'after' } } }, AbortSignal.timeout(5_000));
      await waitFor('the watch to see "after"', 60_000, async () => (seen.has('after') ? true : undefined), 100);
      console.log(`    lists: ${lists}; errors reported meanwhile: ${errors.length}`);
    } finally {
      abort.abort();
      await downHostCluster(name, hostBinaries);
    }
  });
});
