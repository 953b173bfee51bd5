import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { RawObject } from '../../src/kube/watch';
import { MemoryLogger } from '../../src/process/log';
import { ClusterInventory } from '../../src/vcluster/discovery/inventory';
import { PAUSED_ANNOTATION, SLEEP_TYPE_ANNOTATION, SLEEPING_SINCE_ANNOTATION } from '../../src/vcluster/identity';
import { aConfigSecret, aPod, aStatefulSet } from './builders/kube';
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
    await until('four open watches', () => api.openWatches === 4);

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

    assert.equal(api.count('LIST'), 4, 'the first lists only');
    assert.equal(api.count('WATCH'), 4);
    assert.ok(api.requests.every((request) => request.namespace === undefined), 'all namespaces');
  });

  it('coalesces a burst of events into one change, and tells nothing of events that change nothing shown', async () => {
    const inventory = await startHost();
    inventory.setWatching(true);
    await inventory.refresh();
    await until('four open watches', () => api.openWatches === 4);
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
    await until('four open watches', () => api.openWatches === 4);
    inventory.setWatching(false);
    await until('the watches to end', () => api.openWatches === 0);
    const asked = api.requests.length;

    api.put('statefulsets', raw(aStatefulSet({ release: 'a', annotations: { [PAUSED_ANNOTATION]: 'true' }, replicas: 0 })));
    await inventory.refresh();
    assert.equal(statusOf('a'), 'Paused', 'a one-shot refresh sees the change');
    assert.deepEqual(api.requests.slice(asked).map((request) => `${request.verb} ${request.collection}`).sort(), ['LIST deployments', 'LIST pods', 'LIST secrets', 'LIST statefulsets'], 'one list per collection, no watch');
    assert.equal(api.openWatches, 0);

    inventory.setWatching(true);
    await until('the watches to start again', () => api.openWatches === 4);
  });

  it('follows a vCluster for a command while the view is hidden, then stops: bounded when it never settles', async () => {
    const inventory = await startHost();
    await inventory.refresh();
    assert.equal(api.count('WATCH'), 0, 'hidden: refresh() asked once');
    const ref = { hostContext: 'dev', namespace: 'vcluster-a', name: 'a' };
    const following = inventory.awaitVCluster(ref, (vcluster) => vcluster === undefined, 5_000);
    await until('the host to be watched for the command', () => api.openWatches === 4);
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
    await until('four namespaced watches', () => api.openWatches === 4);
    api.put('pods', raw(aPod({ name: 'a-0', namespace: 'vcluster-a', release: 'a', phase: 'Pending', containers: [] })));
    await until('Pending in the namespace', () => statusOf('a') === 'Pending');
    assert.ok(api.requests.filter((request) => request.namespace === undefined).every((request) => request.verb === 'LIST'), 'after the 403s, only the namespace is asked');
    assert.ok(logger.lines.some((line) => /watching namespace vcluster-a only/.test(line)));
  });

  it('shows an unreachable host as an error and recovers by itself when it answers again', async () => {
    const inventory = await startHost();
    inventory.setWatching(true);
    await inventory.refresh();
    await until('four open watches', () => api.openWatches === 4);
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
  const METADATA_ONLY = /^application\/json;as=PartialObjectMetadata(List)?;g=meta\.k8s\.io;v=v1$/;
  /** FAKE: what the platform's sleep-mode agent writes on the config Secret when it puts only the workloads to sleep. */
  const sleepingConfigSecret = (release: string, namespace = `vcluster-${release}`) => raw(aConfigSecret({ release, namespace, annotations: {
    [SLEEP_TYPE_ANNOTATION]: 'forcedSleep',
    [SLEEPING_SINCE_ANNOTATION]: '1767225600',
    // Kept out of everything discovery holds: kubectl writes the Secret's data here.
    'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"config.yaml":"THE-LAST-APPLIED-DATA"}}',
  } }));

  it('says "Sleeping (workloads only)" from the config Secret\'s sleep-type, as the CLI: live and on refresh, Paused first, metadata only', async () => {
    const inventory = await startHost();
    api.put('secrets', raw(aConfigSecret({ release: 'a' })));
    inventory.setWatching(true);
    await inventory.refresh();
    assert.equal(statusOf('a'), 'Running');
    await until('four open watches', () => api.openWatches === 4);

    api.put('secrets', sleepingConfigSecret('a'));
    await until('Sleeping by the watch', () => statusOf('a') === 'Sleeping (workloads only)');
    const ref = { hostContext: 'dev', namespace: 'vcluster-a', name: 'a' };
    assert.deepEqual(inventory.findVCluster(ref)?.sleep, { [SLEEP_TYPE_ANNOTATION]: 'forcedSleep', [SLEEPING_SINCE_ANNOTATION]: '1767225600' }, 'the sleep marks, nothing else of the Secret');

    // The CLI reads the Secret only for a vCluster that is not paused: Paused wins.
    api.put('statefulsets', raw(aStatefulSet({ release: 'a', annotations: { [PAUSED_ANNOTATION]: 'true' }, replicas: 0 })));
    await until('Paused over Sleeping', () => statusOf('a') === 'Paused');
    api.put('statefulsets', raw(aStatefulSet({ release: 'a' })));
    await until('Sleeping again', () => statusOf('a') === 'Sleeping (workloads only)');

    // The agent wakes the workloads: the mark goes, the pods' status is back.
    api.put('secrets', raw(aConfigSecret({ release: 'a' })));
    await until('Running again', () => statusOf('a') === 'Running');
    assert.equal(inventory.findVCluster(ref)?.sleep, undefined);

    // A one-shot refresh (the view hidden) reads the same.
    inventory.setWatching(false);
    await until('the watches to end', () => api.openWatches === 0);
    api.put('secrets', sleepingConfigSecret('a'));
    await inventory.refresh();
    assert.equal(statusOf('a'), 'Sleeping (workloads only)');

    const secretRequests = api.requests.filter((request) => request.collection === 'secrets');
    assert.deepEqual(secretRequests.map((request) => request.verb), ['LIST', 'WATCH', 'LIST'], 'one list and one watch, then the refresh\'s list');
    for (const request of secretRequests) assert.match(request.accept ?? '', METADATA_ONLY, 'Secrets are asked for metadata only, with nothing else offered');
    const held = JSON.stringify(inventory.snapshot);
    assert.doesNotMatch(held, /THE-CONFIG-DATA|THE-LAST-APPLIED-DATA|config\.yaml/, 'no Secret data and no other annotation is held');
  });

  it('config Secrets forbidden in all namespaces: the context\'s namespace is watched for them, the workloads still everywhere', async () => {
    const inventory = await startHost({ namespace: 'vcluster-a' });
    api.forbidSecrets = 'allNamespaces';
    api.put('secrets', sleepingConfigSecret('a'));
    api.put('statefulsets', raw(aStatefulSet({ release: 'b', namespace: 'elsewhere' })));
    api.put('pods', raw(aPod({ name: 'b-0', namespace: 'elsewhere', release: 'b' })));
    api.put('secrets', sleepingConfigSecret('b', 'elsewhere'));
    inventory.setWatching(true);
    await inventory.refresh();
    await until('a Sleeping from its namespace\'s Secret', () => statusOf('a') === 'Sleeping (workloads only)');
    const b = inventory.findVCluster({ hostContext: 'dev', namespace: 'elsewhere', name: 'b' });
    assert.equal(b?.status, 'Running', 'a Secret outside the namespace cannot be read: the pods\' status, as the CLI\'s');
    await until('four open watches', () => api.openWatches === 4);
    const watches = api.requests.filter((request) => request.verb === 'WATCH');
    assert.deepEqual(watches.filter((request) => request.collection === 'secrets').map((request) => request.namespace), ['vcluster-a']);
    assert.ok(watches.filter((request) => request.collection !== 'secrets').every((request) => request.namespace === undefined), 'workloads and pods in all namespaces');
    assert.ok(logger.lines.some((line) => /reading config Secrets in namespace vcluster-a only/.test(line)));
  });

  it('a one-shot refresh falls back the same way: the context\'s namespace when all are forbidden, the pods\' status when that is forbidden too', async () => {
    const inventory = await startHost({ namespace: 'vcluster-a' });
    api.put('secrets', sleepingConfigSecret('a'));
    api.forbidSecrets = 'allNamespaces';
    await inventory.refresh();
    assert.equal(statusOf('a'), 'Sleeping (workloads only)');
    assert.deepEqual(api.requests.filter((request) => request.collection === 'secrets').map((request) => request.namespace), [undefined, 'vcluster-a']);
    api.forbidSecrets = 'everywhere';
    await inventory.refresh();
    assert.equal(statusOf('a'), 'Running');
    assert.equal(inventory.snapshot.hosts[0]?.discovery.state, 'ok');
    assert.equal(api.count('WATCH'), 0);
  });

  it('config Secrets forbidden everywhere, or no metadata-only answers (406): statuses from the pods, the host fine, never a whole Secret asked for', async () => {
    for (const refusal of ['forbidden', 'no metadata only'] as const) {
      const inventory = await startHost();
      if (refusal === 'forbidden') api.forbidSecrets = 'everywhere';
      else api.refuseMetadataOnly = true;
      api.put('secrets', sleepingConfigSecret('a'));
      inventory.setWatching(true);
      await inventory.refresh();
      assert.equal(inventory.snapshot.hosts[0]?.discovery.state, 'ok', refusal);
      await until(`three open watches (${refusal})`, () => api.openWatches === 3);
      assert.equal(statusOf('a'), 'Running', refusal);
      for (const request of api.requests.filter((candidate) => candidate.collection === 'secrets')) assert.match(request.accept ?? '', METADATA_ONLY, refusal);
      assert.ok(logger.lines.some((line) => /no sleep status from config Secrets/.test(line)), refusal);
      inventory.dispose();
      await api.stop();
    }
  });
});
