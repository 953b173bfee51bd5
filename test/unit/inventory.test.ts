import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MemoryLogger } from '../../src/process/log';
import type { DiscoveryResult } from '../../src/vcluster/discovery/discoverVClusters';
import { ClusterInventory, hasNothingToShow, isDiscovering, type HostState } from '../../src/vcluster/discovery/inventory';
import { aKubeconfig, TempDir } from './builders/kubeconfig';

const loadCoreBundle = () => import('../../src/coreBundle');

/**
 * The inventory against real network conditions on loopback: a port nobody listens on, and a
 * server that accepts connections but never answers (a hung API server). Discovery success
 * against a real API server is the integration tier's job.
 */
describe('ClusterInventory', () => {
  const dir = new TempDir();
  let silentServer: Server;
  let silentPort = 0;
  let closedPort = 0;
  const sockets: Socket[] = [];

  before(async () => {
    // Load the Kubernetes client once up front: under tsx a cold load takes seconds, and the
    // timing assertion below is about the network timeout, not about module loading.
    await loadCoreBundle();
    silentServer = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silentServer.listen(0, '127.0.0.1', resolve));
    silentPort = (silentServer.address() as { port: number }).port;
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silentServer.close(() => resolve()));
    dir.remove();
  });

  function kubeconfigWith(): string {
    return dir.write('config', aKubeconfig({
      contexts: [{ name: 'refused' }, { name: 'hung' }, { name: 'dangling', cluster: 'ghost' }],
      clusters: [
        { name: 'refused', server: `https://127.0.0.1:${closedPort}`, extra: { 'insecure-skip-tls-verify': true } },
        { name: 'hung', server: `https://127.0.0.1:${silentPort}`, extra: { 'insecure-skip-tls-verify': true } },
      ],
      users: [{ name: 'refused' }, { name: 'hung' }, { name: 'dangling' }],
      current: 'hung',
    }));
  }

  it('shows each unreachable host with its own reason, bounded by the request timeout', async () => {
    const logger = new MemoryLogger();
    const file = kubeconfigWith();
    const inventory = new ClusterInventory({ kubeconfigPaths: () => [file], requestTimeoutMs: () => 500, logger, loadCoreBundle });
    const changes: Array<string | undefined> = [];
    inventory.onDidChange((name) => changes.push(name));
    const started = Date.now();
    const snapshot = await inventory.refresh();
    const elapsed = Date.now() - started;
    inventory.dispose();

    assert.ok(elapsed < 3_000, `refresh took ${elapsed} ms; the hung host must time out after 500 ms`);
    const byName = new Map(snapshot.hosts.map((host) => [host.context.name, host]));
    const refused = byName.get('refused')?.discovery;
    const hung = byName.get('hung')?.discovery;
    const dangling = byName.get('dangling')?.discovery;
    assert.equal(refused?.state === 'error' && refused.error.kind, 'unreachable');
    assert.equal(hung?.state === 'error' && hung.error.kind, 'timeout');
    assert.match(hung?.state === 'error' ? hung.error.message : '', /no answer within 1 s/);
    assert.equal(dangling?.state === 'error' && dangling.error.kind, 'other');
    assert.equal(byName.get('hung')?.isCurrent, true);
    assert.ok(!hasNothingToShow(snapshot), 'unreachable hosts are shown, not hidden behind a welcome');
    assert.equal(changes[0], undefined, 'the first event says everything changed');
    assert.deepEqual(new Set(changes.slice(1)), new Set(['refused', 'hung']), 'then one event per host that answered');
    assert.ok(logger.lines.some((line) => /\[discovery\] refused: cannot reach the API server \(ECONNREFUSED\)/.test(line)));
  });

  it('reports the kubeconfig state and nothing to show when there is no kubeconfig', async () => {
    const inventory = new ClusterInventory({ kubeconfigPaths: () => [`${dir.path}/absent`], requestTimeoutMs: () => 500, logger: new MemoryLogger(), loadCoreBundle });
    const snapshot = await inventory.refresh();
    inventory.dispose();
    assert.equal(snapshot.kubeconfig.state, 'missing');
    assert.ok(hasNothingToShow(snapshot));
  });

  it('lets a newer refresh supersede one still waiting on a hung host', async () => {
    let paths = [kubeconfigWith()];
    const logger = new MemoryLogger();
    const inventory = new ClusterInventory({ kubeconfigPaths: () => paths, requestTimeoutMs: () => 10_000, logger, loadCoreBundle });
    const slow = inventory.refresh();
    await new Promise((resolve) => setTimeout(resolve, 100));
    paths = [`${dir.path}/absent`];
    const fresh = await inventory.refresh();
    await slow;
    inventory.dispose();
    assert.equal(fresh.kubeconfig.state, 'missing');
    assert.equal(inventory.snapshot.kubeconfig.state, 'missing', 'the superseded refresh must not overwrite the newer snapshot');
    assert.ok(!logger.lines.some((line) => line.includes('[discovery] hung: no answer')), 'a superseded request is not logged as a host timeout');
    assert.ok(logger.lines.some((line) => line.includes('[discovery] hung: superseded')));
  });

  it('keeps a host\'s last answer while it is asked again, so the tree and the pickers do not empty meanwhile', async () => {
    const write = (server: string) => dir.write('stale-config', aKubeconfig({
      contexts: [{ name: 'dev' }],
      clusters: [{ name: 'dev', server, extra: { 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'dev' }],
      current: 'dev',
    }));
    const file = write('https://127.0.0.1:7001');
    const found = (names: string[]): DiscoveryResult => ({
      scope: { allNamespaces: true },
      vclusters: names.map((name) => ({ name, namespace: `vcluster-${name}`, hostContext: 'dev', status: 'Running', version: '0.36.1', created: undefined, workloadKind: 'StatefulSet' as const })),
    });
    // Discovery that answers only when the test says so (a slow host), with the names given.
    let answer: ((result: DiscoveryResult) => void) | undefined;
    const asked: string[] = [];
    const inventory = new ClusterInventory({
      kubeconfigPaths: () => [file], requestTimeoutMs: () => 5000, logger: new MemoryLogger(), loadCoreBundle,
      discover: (_kubeconfig, context) => {
        asked.push(context.server ?? '');
        return new Promise((resolve) => { answer = resolve; });
      },
    });
    const names = () => inventory.snapshot.hosts.flatMap((host) => (host.discovery.state === 'ok' ? host.discovery.result.vclusters.map((vcluster) => vcluster.name) : []));
    const until = async (what: string, check: () => boolean) => {
      for (let waited = 0; !check(); waited += 10) {
        assert.ok(waited < 5000, what);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };

    const first = inventory.refresh();
    await until('the first discovery asked', () => asked.length === 1);
    assert.equal(inventory.snapshot.hosts[0]!.discovery.state, 'loading', 'nothing known yet: loading');
    assert.ok(isDiscovering(inventory.snapshot));
    answer!(found(['a']));
    await first;
    assert.deepEqual(names(), ['a']);
    assert.equal(inventory.snapshot.hosts[0]!.refreshing, undefined);
    assert.equal(isDiscovering(inventory.snapshot), false);

    const second = inventory.refresh();
    await until('the second discovery asked', () => asked.length === 2);
    assert.deepEqual(names(), ['a'], 'the last answer stands while the host is asked again');
    assert.equal(inventory.snapshot.hosts[0]!.refreshing, true);
    assert.ok(isDiscovering(inventory.snapshot), 'pickers show that more may come');
    answer!(found(['a', 'b']));
    await second;
    assert.deepEqual(names(), ['a', 'b']);
    assert.equal(inventory.snapshot.hosts[0]!.refreshing, undefined);

    // The context now points at another server: the old answer is about another cluster.
    write('https://127.0.0.1:7002');
    const third = inventory.refresh();
    await until('the third discovery asked', () => asked.length === 3);
    assert.equal(asked[2], 'https://127.0.0.1:7002');
    assert.equal(inventory.snapshot.hosts[0]!.discovery.state, 'loading', 'another server: nothing carried over');
    answer!(found([]));
    await third;
    assert.deepEqual(names(), []);
    inventory.dispose();
  });
});

describe('hasNothingToShow', () => {
  const context = { name: 'kind-dev', cluster: 'kind-dev', user: 'kind-dev', namespace: undefined, server: 'https://127.0.0.1:6443', sourceFile: '/k' };
  const okKubeconfig = { state: 'ok' as const, files: [], document: { apiVersion: 'v1' as const, kind: 'Config' as const, clusters: [], users: [], contexts: [] }, contexts: [context], currentContext: 'kind-dev' };
  const host = (discovery: HostState['discovery']): HostState => ({ context, isCurrent: true, discovery });
  const found = (count: number): HostState['discovery'] => ({
    state: 'ok',
    result: {
      scope: { allNamespaces: true },
      vclusters: Array.from({ length: count }, (_, index) => ({ name: `vc${index}`, namespace: `ns${index}`, hostContext: 'kind-dev', status: 'Running', version: '0.21.1', created: undefined, workloadKind: 'StatefulSet' as const })),
    },
  });

  it('is true when every host answered and none has a vCluster (the "no vClusters yet" welcome)', () => {
    assert.equal(hasNothingToShow({ kubeconfig: okKubeconfig, hosts: [host(found(0)), host(found(0))] }), true);
  });

  it('is false while a host is still loading, when one failed, or when any vCluster exists', () => {
    assert.equal(hasNothingToShow({ kubeconfig: okKubeconfig, hosts: [host(found(0)), host({ state: 'loading' })] }), false);
    assert.equal(hasNothingToShow({ kubeconfig: okKubeconfig, hosts: [host({ state: 'error', error: { kind: 'timeout', message: 'x' } })] }), false);
    assert.equal(hasNothingToShow({ kubeconfig: okKubeconfig, hosts: [host(found(0)), host(found(1))] }), false);
  });
});
