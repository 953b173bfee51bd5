import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { RawObject } from '../../src/kube/watch';
import { MemoryLogger } from '../../src/process/log';
import { ClusterInventory } from '../../src/vcluster/discovery/inventory';
import { PAUSED_ANNOTATION } from '../../src/vcluster/identity';
import { aPod, aStatefulSet } from './builders/kube';
import { aSimpleKubeconfig, TempDir } from './builders/kubeconfig';
import { FakeVClusterApi } from './support/fakeVClusterApi';

const loadCoreBundle = () => import('../../src/coreBundle');
const raw = (object: unknown) => JSON.parse(JSON.stringify(object)) as RawObject;

/** Polls a condition every 10 ms, at most `timeoutMs`; the failure names what was awaited. */
async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The inventory's watches (HostWatch over src/kube/watch.ts) against a FAKE API server on
 * loopback, which can change a host on demand and counts what it is asked. The same against the
 * real API server and the real CLI: test/e2e/discoveryWatch.e2e.test.ts and `npm run bench -- watch`.
 */
describe('ClusterInventory watching its hosts', () => {
  const dir = new TempDir();
  let api: FakeVClusterApi;
  let inventory: ClusterInventory | undefined;
  let logger: MemoryLogger;

  before(async () => {
    await loadCoreBundle();
  });

  async function startHost(options: { namespace?: string } = {}) {
    api = new FakeVClusterApi();
    await api.start();
    api.put('statefulsets', raw(aStatefulSet({ release: 'a' })));
    api.put('pods', raw(aPod({ name: 'a-0', namespace: 'vcluster-a', release: 'a' })));
    const file = dir.write(`config-${api.port}`, aSimpleKubeconfig('dev', api.url, options));
    logger = new MemoryLogger();
    inventory = new ClusterInventory({
      kubeconfigPaths: () => [file], requestTimeoutMs: () => 2_000, logger, loadCoreBundle,
      // Short retries, so recovery is seen within the test's bounds.
      watch: { initialBackoffMs: 50, maxBackoffMs: 200 },
    });
    return inventory;
  }

  const statusOf = (name: string) => inventory!.findVCluster({ hostContext: 'dev', namespace: `vcluster-${name}`, name })?.status;

  afterEach(async () => {
    inventory?.dispose();
    inventory = undefined;
    await api?.stop();
  });

  after(() => dir.remove());

  it('follows a change made elsewhere without a refresh: one list per collection, then watch events only', async () => {
    const inventory = await startHost();
    inventory.setWatching(true);
    await inventory.refresh();
    assert.equal(statusOf('a'), 'Running');
    await until('three open watches', () => api.openWatches === 3);

    const changes: Array<string | undefined> = [];
    inventory.onDidChange((name) => changes.push(name));
    // What `vcluster pause` does to the workload first: the annotation, then replicas 0.
    api.put('statefulsets', raw(aStatefulSet({ release: 'a', annotations: { [PAUSED_ANNOTATION]: 'true' }, replicas: 0 })));
    const paused = await inventory.awaitVCluster({ hostContext: 'dev', namespace: 'vcluster-a', name: 'a' }, (vcluster) => vcluster?.status === 'Paused', 2_000);
    assert.equal(paused, true, 'Paused arrives by the watch');
    assert.deepEqual(changes, ['dev'], 'one change, for that host');

    api.put('statefulsets', raw(aStatefulSet({ release: 'b' })));
    await until('vCluster b to appear', () => statusOf('b') !== undefined);
    assert.equal(statusOf('b'), '', 'no pod yet: the CLI\'s empty status (shown as Starting)');
    api.remove('statefulsets', raw(aStatefulSet({ release: 'b' })));
    await until('vCluster b to be gone', () => statusOf('b') === undefined);

    assert.equal(api.count('LIST'), 3, 'the first lists only');
    assert.equal(api.count('WATCH'), 3);
    assert.ok(api.requests.every((request) => request.namespace === undefined), 'all namespaces');
  });

  it('coalesces a burst of events into one change, and tells nothing of events that change nothing shown', async () => {
    const inventory = await startHost();
    inventory.setWatching(true);
    await inventory.refresh();
    await until('three open watches', () => api.openWatches === 3);
    const changes: Array<string | undefined> = [];
    inventory.onDidChange((name) => changes.push(name));
    // The same pod written again and again (a heartbeat, a label): the status stays Running.
    for (let index = 0; index < 20; index++) api.put('pods', raw(aPod({ name: 'a-0', namespace: 'vcluster-a', release: 'a' })));
    // Then a burst that does change it: the pod restarts, then is Pending, then a new one runs.
    api.put('pods', raw(aPod({ name: 'a-0', namespace: 'vcluster-a', release: 'a', deleting: true })));
    api.put('pods', raw(aPod({ name: 'a-0', namespace: 'vcluster-a', release: 'a', phase: 'Pending', containers: [] })));
    await until('Pending', () => statusOf('a') === 'Pending');
    assert.ok(changes.length <= 2, `a burst of 22 events made ${changes.length} change(s)`);
  });

  it('stops watching when the view is hidden and asks nothing meanwhile; refresh() still answers with one list each', async () => {
    const inventory = await startHost();
    inventory.setWatching(true);
    await inventory.refresh();
    await until('three open watches', () => api.openWatches === 3);
    inventory.setWatching(false);
    await until('the watches to end', () => api.openWatches === 0);
    const asked = api.requests.length;

    api.put('statefulsets', raw(aStatefulSet({ release: 'a', annotations: { [PAUSED_ANNOTATION]: 'true' }, replicas: 0 })));
    await inventory.refresh();
    assert.equal(statusOf('a'), 'Paused', 'a one-shot refresh sees the change');
    assert.deepEqual(api.requests.slice(asked).map((request) => request.verb), ['LIST', 'LIST', 'LIST'], 'one list per collection, no watch');
    assert.equal(api.openWatches, 0);

    inventory.setWatching(true);
    await until('the watches to start again', () => api.openWatches === 3);
  });

  it('follows a vCluster for a command while the view is hidden, then stops: bounded when it never settles', async () => {
    const inventory = await startHost();
    await inventory.refresh();
    assert.equal(api.count('WATCH'), 0, 'hidden: refresh() asked once');
    const ref = { hostContext: 'dev', namespace: 'vcluster-a', name: 'a' };
    const following = inventory.awaitVCluster(ref, (vcluster) => vcluster === undefined, 5_000);
    await until('the host to be watched for the command', () => api.openWatches === 3);
    api.remove('statefulsets', raw(aStatefulSet({ release: 'a' })));
    assert.equal(await following, true, 'gone, seen by the watch');
    await until('the watches to end with the wait', () => api.openWatches === 0);

    const started = Date.now();
    assert.equal(await inventory.awaitVCluster(ref, (vcluster) => vcluster?.status === 'Running', 300), false, 'never settles: false at the bound');
    assert.ok(Date.now() - started < 2_000);
    await until('the watches to end after the timeout', () => api.openWatches === 0);
  });

  it('watches the context\'s namespace when listing all namespaces is forbidden, as the CLI does', async () => {
    const inventory = await startHost({ namespace: 'vcluster-a' });
    api.forbidAllNamespaces = true;
    api.put('statefulsets', raw(aStatefulSet({ release: 'other', namespace: 'elsewhere' })));
    inventory.setWatching(true);
    await inventory.refresh();
    const host = inventory.snapshot.hosts[0]!;
    assert.equal(host.discovery.state, 'ok');
    assert.deepEqual(host.discovery.state === 'ok' && host.discovery.result.scope, { allNamespaces: false, namespace: 'vcluster-a' });
    assert.deepEqual(inventory.knownVClusters().map((vcluster) => vcluster.name), ['a']);
    await until('three namespaced watches', () => api.openWatches === 3);
    api.put('pods', raw(aPod({ name: 'a-0', namespace: 'vcluster-a', release: 'a', phase: 'Pending', containers: [] })));
    await until('Pending in the namespace', () => statusOf('a') === 'Pending');
    assert.ok(api.requests.filter((request) => request.namespace === undefined).every((request) => request.verb === 'LIST'), 'after the 403s, only the namespace is asked');
    assert.ok(logger.lines.some((line) => /watching namespace vcluster-a only/.test(line)));
  });

  it('shows an unreachable host as an error and recovers by itself when it answers again', async () => {
    const inventory = await startHost();
    inventory.setWatching(true);
    await inventory.refresh();
    await until('three open watches', () => api.openWatches === 3);
    const port = api.port;
    await api.stop();
    await until('the host to read as an error', () => inventory.snapshot.hosts[0]?.discovery.state === 'error');
    const error = inventory.snapshot.hosts[0]!.discovery;
    assert.equal(error.state === 'error' && error.error.kind, 'unreachable');
    assert.equal(inventory.knownVClusters().length, 0, 'a failing host shows its error, not stale vClusters');

    // The same server back on the same port, with a change made while it was away.
    const back = new FakeVClusterApi();
    await back.start(port);
    api = back;
    back.put('statefulsets', raw(aStatefulSet({ release: 'a', annotations: { [PAUSED_ANNOTATION]: 'true' }, replicas: 0 })));
    await until('the host to recover without a refresh', () => statusOf('a') === 'Paused', 5_000);
    assert.ok(logger.lines.filter((line) => line.startsWith('warn') && line.includes('retrying')).length <= 1, 'one warning per outage, retries to trace');
  });
});
