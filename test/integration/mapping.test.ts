// The live syncer mapping (MappingSource) against a real vCluster: the real CLI and chart on the
// tier's local host, and the real syncer running locally. Objects are made in the virtual
// cluster; the syncer makes their host copies; the source's watches see both sides and the pairs
// follow, with the latency from the host pod's creation to the source's change event measured.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/client';
import { watchList } from '../../src/kube/watch';
import { MemoryLogger } from '../../src/process/log';
import type { MappingPair } from '../../src/vcluster/mapping/mapping';
import { MappingSource, type MappingSourceState } from '../../src/vcluster/mapping/mappingSource';
import { hostName } from '../../src/vcluster/mapping/hostNames';
import { ensureVClusterBinaries } from '../env/vclusterBinaries';
import { upVCluster, type LocalVCluster } from '../env/vclusterFixture';
import { testHost, waitFor } from './support/host';
import { anUnreachableKubeConfig } from '../unit/builders/kube';

const NAME = 'map';
const NAMESPACE = `vcluster-map-${process.pid}`;
const APPS = '/apis/apps/v1/namespaces/default';
const CORE = '/api/v1/namespaces/default';

function clientFor(kubeconfig: string): KubeClient {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  return new KubeClient(config);
}

const timeout = () => AbortSignal.timeout(15_000);
const webPods = (pairs: readonly MappingPair[]) => pairs.filter((pair) => pair.kind === 'Pod' && pair.virtual?.namespace === 'default' && pair.virtual.name.startsWith('web-'));
const pairById = (source: MappingSource, id: string) => source.pairs.find((pair) => pair.id === id);

/** Waits (bounded) until `probe` holds for the source's pairs; the error shows what was there. */
async function waitForPairs<T>(what: string, source: MappingSource, probe: (pairs: readonly MappingPair[]) => T | undefined, timeoutMs = 90_000): Promise<T> {
  try {
    return await waitFor(what, timeoutMs, async () => probe(source.pairs), 50);
  } catch (error) {
    const summary = source.pairs.filter((pair) => pair.status !== 'controlPlane').map((pair) => `${pair.id}=${pair.status}`).join(', ');
    throw new Error(`${(error as Error).message}; status ${JSON.stringify(source.status)}; pairs: ${summary}`);
  }
}

/** Records when each change event came and which pod pairs it first showed as synced. */
function observe(source: MappingSource) {
  const events: Array<{ at: number; changed: number | 'all' }> = [];
  const podSyncedAt = new Map<string, number>();
  const subscription = source.onDidChange((changedIds) => {
    const at = performance.now();
    events.push({ at, changed: changedIds ? changedIds.size : 'all' });
    for (const pair of webPods(source.pairs)) {
      if (pair.status === 'synced' && pair.host && !podSyncedAt.has(pair.host.name)) podSyncedAt.set(pair.host.name, at);
    }
  });
  return { events, podSyncedAt, subscription };
}

describe('the live syncer mapping (MappingSource) with the real vCluster syncer', () => {
  let vcluster: LocalVCluster;
  let hostKubeconfig: string;
  let host: KubeClient;
  let virtual: KubeClient;
  let connected: MappingSource;
  let hostOnly: MappingSource;
  const logger = new MemoryLogger();
  const sources: MappingSource[] = [];
  /** An independent watch of the host pods: when each host pod appeared, as any watcher sees it. */
  const hostPodSeenAt = new Map<string, { at: number; created: string }>();
  const hostPodWatch = new AbortController();

  before(async () => {
    const cluster = testHost();
    hostKubeconfig = cluster.kubeconfig;
    vcluster = await upVCluster({ cluster, vcluster: await ensureVClusterBinaries(), name: NAME, namespace: NAMESPACE });
    host = clientFor(hostKubeconfig);
    virtual = clientFor(vcluster.kubeconfig);
    void watchList(host, `/api/v1/namespaces/${NAMESPACE}/pods`, { query: { labelSelector: `vcluster.loft.sh/managed-by=${NAME}` } }, {
      onRelist: () => undefined,
      onEvent: (type, object) => {
        const name = object.metadata?.name;
        if (type === 'ADDED' && name && !hostPodSeenAt.has(name)) hostPodSeenAt.set(name, { at: performance.now(), created: String(object.metadata?.creationTimestamp) });
      },
    }, hostPodWatch.signal);
  });

  after(async () => {
    hostPodWatch.abort();
    for (const source of sources) source.dispose();
    if (process.exitCode) console.log(`mapping log:\n${logger.lines.slice(-40).join('\n')}`);
    if (vcluster) {
      if (process.exitCode) console.log(`syncer log (last lines):\n${vcluster.syncer.logTail(40)}`);
      await vcluster.remove();
    }
    await host?.request('DELETE', `/api/v1/namespaces/${NAMESPACE}`, {}, timeout()).catch(() => undefined);
  });

  it('starts: the vCluster\'s own objects as control plane, default/kubernetes synced, ready with the virtual cluster reachable', async () => {
    connected = new MappingSource({ vclusterName: NAME, hostNamespace: NAMESPACE, hostClient: host, virtualClient: virtual, logger });
    hostOnly = new MappingSource({ vclusterName: NAME, hostNamespace: NAMESPACE, hostClient: host, logger });
    sources.push(connected, hostOnly);
    assert.deepEqual(connected.status, { state: 'loading' });
    const started = performance.now();
    connected.start();
    connected.start(); // idempotent
    hostOnly.start();
    await waitFor('both sources ready', 30_000, async () => (connected.status.state === 'ready' && hostOnly.status.state === 'ready' ? true : undefined), 20);
    console.log(`    ready after ${Math.round(performance.now() - started)} ms`);
    assert.deepEqual(connected.status, { state: 'ready', virtualReachable: true });
    assert.deepEqual(hostOnly.status, { state: 'ready', virtualReachable: false });

    const kubernetes = pairById(connected, 'Service/default/kubernetes');
    assert.equal(kubernetes?.status, 'synced');
    assert.deepEqual([kubernetes?.host?.namespace, kubernetes?.host?.name], [NAMESPACE, NAME], 'the virtual default/kubernetes Service is the vCluster\'s own host Service');
    const controlPlane = connected.pairs.filter((pair) => pair.status === 'controlPlane').map((pair) => `${pair.kind}/${pair.host?.name}`);
    for (const expected of [`Service/${NAME}`, `Secret/vc-config-${NAME}`, `Secret/vc-${NAME}`, `PersistentVolumeClaim/data-${NAME}-0`]) {
      assert.ok(controlPlane.includes(expected), `${expected} is shown as control plane (${controlPlane.join(', ')})`);
    }
    assert.ok(connected.pairs.some((pair) => pair.kind === 'ConfigMap' && pair.virtual?.name === 'kube-root-ca.crt'), 'virtual ConfigMaps are listed');
  });

  it('a Deployment of 2 with a ConfigMap and a Service: 2 pod pairs synced under the syncer\'s names, Service and ConfigMap synced, Deployment virtual-only — in both sources', async () => {
    const connectedSeen = observe(connected);
    const hostOnlySeen = observe(hostOnly);
    try {
      await virtual.request('POST', `${CORE}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { GREETING: 'hello' } } }, timeout());
      await virtual.request('POST', `${APPS}/deployments`, { body: {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.invalid/web:1', envFrom: [{ configMapRef: { name: 'app-config' } }] }] } },
        },
      } }, timeout());
      await virtual.request('POST', `${CORE}/services`, { body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } }, timeout());

      const pods = await waitForPairs('2 synced pod pairs', connected, (pairs) => {
        const found = webPods(pairs);
        return found.length === 2 && found.every((pair) => pair.status === 'synced') ? found : undefined;
      });
      for (const pair of pods) {
        assert.equal(pair.host?.namespace, NAMESPACE);
        assert.equal(pair.host?.name, hostName(pair.virtual!.name, 'default', NAME), 'the host name is translate.hostName of the virtual pod');
        assert.ok(pair.virtual?.uid && pair.host?.uid && pair.virtual.uid !== pair.host.uid);
      }
      await waitForPairs('the Service and ConfigMap synced, the Deployment and ReplicaSet virtual-only', connected, (pairs) => {
        const status = (id: string) => pairs.find((pair) => pair.id === id)?.status;
        return status('Service/default/web') === 'synced' && status('ConfigMap/default/app-config') === 'synced' && status('Deployment/default/web') === 'virtualOnly'
          && pairs.some((pair) => pair.kind === 'ReplicaSet' && pair.status === 'virtualOnly' && pair.virtual?.name.startsWith('web-')) ? true : undefined;
      });
      assert.equal(pairById(connected, 'Service/default/web')?.host?.name, hostName('web', 'default', NAME));
      assert.equal(pairById(connected, 'ConfigMap/default/app-config')?.host?.name, hostName('app-config', 'default', NAME));
      const deployment = pairById(connected, 'Deployment/default/web');
      assert.equal(deployment?.host, undefined);

      // Host markers only: the same pod pairs, synced, from the host's annotations alone.
      const fromMarkers = await waitForPairs('2 pod pairs from host markers', hostOnly, (pairs) => (webPods(pairs).length === 2 ? webPods(pairs) : undefined));
      const sides = (pairs: readonly MappingPair[]) => pairs.map((pair) => `${pair.id} ${pair.status} ${pair.virtual?.namespace}/${pair.virtual?.name}=${pair.virtual?.uid} -> ${pair.host?.namespace}/${pair.host?.name}`).sort();
      assert.deepEqual(sides(fromMarkers), sides(pods));
      assert.equal(pairById(hostOnly, 'Service/default/web')?.status, 'synced');
      assert.equal(pairById(hostOnly, 'Deployment/default/web'), undefined, 'without the virtual cluster, virtual-only objects are unknown');

      // Latency: from the host pod's creation (as an independent watch of the host sees it) to
      // the source's change event showing its pair synced.
      await waitFor('the independent host watch to have seen both pods', 5000, async () => (pods.every((pair) => hostPodSeenAt.has(pair.host!.name)) ? true : undefined), 20);
      const latencies = (seen: ReturnType<typeof observe>) => pods.map((pair) => {
        const hostPod = hostPodSeenAt.get(pair.host!.name)!;
        const syncedAt = seen.podSyncedAt.get(pair.host!.name);
        assert.ok(syncedAt !== undefined, `a change event showed ${pair.host!.name} synced`);
        return { ms: Math.round(syncedAt - hostPod.at), created: hostPod.created };
      });
      const connectedLatency = latencies(connectedSeen);
      const hostOnlyLatency = latencies(hostOnlySeen);
      // creationTimestamp has whole seconds: only an upper bound, shown for comparison.
      const wall = (created: string, ms: number) => Math.round(performance.timeOrigin + ms - Date.parse(created));
      console.log(`    latency host pod created → change event (connected source): ${connectedLatency.map((entry) => `${entry.ms} ms`).join(', ')}`);
      console.log(`    latency host pod created → change event (host markers only): ${hostOnlyLatency.map((entry) => `${entry.ms} ms`).join(', ')}`);
      console.log(`    upper bound from creationTimestamp (whole seconds): ${pods.map((pair) => `${wall(hostPodSeenAt.get(pair.host!.name)!.created, connectedSeen.podSyncedAt.get(pair.host!.name)!)} ms`).join(', ')}`);
      for (const entry of [...connectedLatency, ...hostOnlyLatency]) assert.ok(entry.ms <= 1000, `change event within 1 s of the host pod (${entry.ms} ms)`);
      console.log(`    change events during the burst: ${connectedSeen.events.length} (connected), ${hostOnlySeen.events.length} (host only)`);
    } finally {
      connectedSeen.subscription.dispose();
      hostOnlySeen.subscription.dispose();
    }
  });

  it('scaling to 3 gives 3 synced pod pairs', async () => {
    const latencyBefore = new Set(hostPodSeenAt.keys());
    const seen = observe(connected);
    try {
      await virtual.request('PATCH', `${APPS}/deployments/web`, { body: { spec: { replicas: 3 } } }, timeout());
      for (const source of [connected, hostOnly]) {
        const pods = await waitForPairs('3 synced pod pairs', source, (pairs) => {
          const found = webPods(pairs);
          return found.length === 3 && found.every((pair) => pair.status === 'synced') ? found : undefined;
        });
        for (const pair of pods) assert.equal(pair.host?.name, hostName(pair.virtual!.name, 'default', NAME));
      }
      const added = [...hostPodSeenAt.keys()].filter((name) => !latencyBefore.has(name));
      assert.equal(added.length, 1);
      const ms = Math.round(seen.podSyncedAt.get(added[0]!)! - hostPodSeenAt.get(added[0]!)!.at);
      console.log(`    latency of the third pod: ${ms} ms`);
      assert.ok(ms <= 1000, `change event within 1 s of the host pod (${ms} ms)`);
    } finally {
      seen.subscription.dispose();
    }
  });

  it('a burst of 20 ConfigMaps becomes few change events that name every one', async () => {
    const changes: Array<ReadonlySet<string> | undefined> = [];
    const subscription = connected.onDidChange((changedIds) => changes.push(changedIds));
    try {
      const names = Array.from({ length: 20 }, (_, index) => `burst-${index}`);
      await Promise.all(names.map((name) => virtual.request('POST', `${CORE}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } } }, timeout())));
      await waitForPairs('20 virtual-only ConfigMaps', connected, (pairs) => (names.every((name) => pairs.some((pair) => pair.id === `ConfigMap/default/${name}` && pair.status === 'virtualOnly')) ? true : undefined), 30_000);
      const named = new Set(changes.flatMap((ids) => (ids ? [...ids] : [])));
      assert.ok(changes.every((ids) => ids !== undefined), 'only the changed pairs are named');
      for (const name of names) assert.ok(named.has(`ConfigMap/default/${name}`), `a change event named ${name}`);
      console.log(`    20 ConfigMaps created at once → ${changes.length} change event(s)`);
      assert.ok(changes.length < 20, `bursts coalesce (${changes.length} events)`);
    } finally {
      subscription.dispose();
    }
  });

  it('deleting the Deployment removes its pod pairs', async () => {
    await virtual.request('DELETE', `${APPS}/deployments/web`, { body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' } }, timeout());
    for (const source of [connected, hostOnly]) {
      await waitForPairs('no pod pairs of web', source, (pairs) => (webPods(pairs).length === 0 ? true : undefined));
    }
    assert.equal(pairById(connected, 'Deployment/default/web'), undefined);
    assert.equal(pairById(connected, 'Service/default/web')?.status, 'synced', 'the Service stays');
  });

  it('the syncer killed with SIGKILL: the running source says the virtual side is unreachable while host pairs stay, and recovers by itself once the syncer is back', async () => {
    const seen: MappingSourceState[] = [];
    const sampler = setInterval(() => {
      const status = connected.status;
      if (JSON.stringify(seen[seen.length - 1]) !== JSON.stringify(status)) seen.push(status);
    }, 50);
    try {
      process.kill(vcluster.syncer.pid, 'SIGKILL');
      const down = await waitFor('the source to say the virtual side is unreachable', 60_000, async () => {
        const status = connected.status;
        return status.state === 'ready' && !status.virtualReachable ? status : undefined;
      }, 50);
      assert.ok(down.state === 'ready' && down.virtualProblem, `it says why: ${JSON.stringify(down)}`);
      assert.equal(pairById(connected, 'Service/default/web')?.status, 'synced', 'host pairs stay (from the host\'s markers)');
      // Restarted by the supervisor after kubelet's 10 s; the same source, never restarted, recovers.
      await waitFor('the source to reach the virtual side again', 120_000, async () => {
        const status = connected.status;
        return status.state === 'ready' && status.virtualReachable ? true : undefined;
      }, 250);
      await virtual.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: 'after-restart' } } }, timeout());
      await waitForPairs('the ConfigMap made after the restart', connected, () => pairById(connected, 'ConfigMap/default/after-restart'));
      console.log(`    states seen: ${seen.map((status) => (status.state === 'ready' ? `ready(virtual ${status.virtualReachable ? 'reachable' : 'unreachable'})` : status.state)).join(' → ')}`);
    } finally {
      clearInterval(sampler);
    }
  });

  it('an unreachable virtual cluster falls back to host markers and says why; the host side keeps working', async () => {
    const unreachable = anUnreachableKubeConfig();
    const fallback = new MappingSource({ vclusterName: NAME, hostNamespace: NAMESPACE, hostClient: host, virtualClient: new KubeClient(unreachable), logger, coalesceMs: 20 });
    sources.push(fallback);
    fallback.start();
    await waitFor('the fallback source ready', 30_000, async () => (fallback.status.state === 'ready' ? true : undefined), 20);
    assert.equal(fallback.status.state === 'ready' && fallback.status.virtualReachable, false);
    assert.match(fallback.status.state === 'ready' ? fallback.status.virtualProblem ?? '' : '', /cannot reach the API server \(ECONNREFUSED\)/);
    assert.equal(pairById(fallback, 'Service/default/web')?.status, 'synced', 'host markers still give the synced pairs');
    fallback.dispose();
  });

  it('stop() ends every watch: no change events after it, and start() resumes from fresh lists', async () => {
    let eventsAfterStop = 0;
    const subscription = connected.onDidChange(() => eventsAfterStop++);
    try {
      connected.stop();
      connected.stop(); // idempotent
      hostOnly.stop();
      // A positive control instead of a sleep: a live watch of the same ConfigMaps sees the new
      // one arrive; by then a source still watching would have heard of it too.
      const control = new AbortController();
      const seenByLiveWatch = new Promise<void>((resolve) => {
        void watchList(virtual, `${CORE}/configmaps`, {}, {
          onRelist: (items) => { if (items.some((item) => item.metadata?.name === 'while-stopped')) resolve(); },
          onEvent: (_type, item) => { if (item.metadata?.name === 'while-stopped') resolve(); },
        }, control.signal);
      });
      try {
        await virtual.request('POST', `${CORE}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'while-stopped' } } }, timeout());
        let bound: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([seenByLiveWatch, new Promise((_resolve, reject) => {
          bound = setTimeout(() => reject(new Error('a live watch did not see the new ConfigMap within 15 s')), 15_000);
        })]).finally(() => clearTimeout(bound));
        // The sources coalesce events for up to 100 ms before telling anyone: let that pass too.
        await new Promise((resolve) => setTimeout(resolve, 300));
      } finally {
        control.abort();
      }
      assert.equal(eventsAfterStop, 0, 'no change events after stop()');
      assert.equal(pairById(connected, 'ConfigMap/default/while-stopped'), undefined);

      connected.start();
      assert.deepEqual(connected.status, { state: 'loading' });
      await waitForPairs('the ConfigMap made while stopped', connected, (pairs) => (pairs.some((pair) => pair.id === 'ConfigMap/default/while-stopped') ? true : undefined), 30_000);
      assert.deepEqual(connected.status, { state: 'ready', virtualReachable: true });
      connected.stop();
    } finally {
      subscription.dispose();
    }
  });

  it('a process whose only work was a MappingSource exits on its own after stop(): no socket or timer outlives it', async () => {
    const script = join(__dirname, 'support', 'mappingSourceExit.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, hostKubeconfig, vcluster.kubeconfig, NAME, NAMESPACE], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode, signal) => resolve(signal ? null : exitCode)));
    const exitedAt = Date.now();
    clearTimeout(killer);
    assert.equal(code, 0, `the child exited by itself (stdout: ${stdout.trim()}; stderr: ${stderr.trim()})`);
    const lines = stdout.trim().split('\n').map((text) => JSON.parse(text) as { ready?: boolean; pairs?: number; stopped?: boolean; at?: number });
    assert.ok(lines[0]?.ready && (lines[0].pairs ?? 0) > 0);
    const stoppedAt = lines.find((entry) => entry.stopped)?.at ?? NaN;
    console.log(`    the child exited ${exitedAt - stoppedAt} ms after stop()`);
    assert.ok(exitedAt - stoppedAt < 5000, `exited within 5 s of stop() (${exitedAt - stoppedAt} ms)`);
  });
});
