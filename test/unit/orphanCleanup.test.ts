import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { KubeClient } from '../../src/kube/client';
import { KubeApiError } from '../../src/kube/errors';
import { METADATA_ONLY_LIST_ACCEPT, type RawObject } from '../../src/kube/watch';
import { buildMapping, clusterMarkerLabel, syncSettings, type KubeObject, type MappingPair } from '../../src/vcluster/mapping/mapping';
import type { MappingSourceState } from '../../src/vcluster/mapping/mappingSource';
import { hostName, clusterScopedHostName } from '../../src/vcluster/mapping/hostNames';
import {
  cleanupSummary, deleteOrphans, describeHostObject, orphanCandidates, orphanListText, orphanSearchProblem, recheckOrphans, settledMappingState,
  type OrphanedHostObject,
} from '../../src/vcluster/mapping/orphanCleanup';
import { aKubeConfigFor } from './builders/kube';

const VC = 'demo';
const HOST_NS = 'vcluster-demo';

/** A virtual object as the virtual API server lists it (metadata only). */
function aVirtual(kind: string, namespace: string | undefined, name: string, uid = `v-${kind}-${name}`): KubeObject {
  return { kind, metadata: { name, ...(namespace ? { namespace } : {}), uid } };
}

/** The host copy the syncer (v0.21+) makes of `of`, with its markers; `uid` is the host object's own. */
function aHostCopy(of: KubeObject, uid: string, extra: { deletionTimestamp?: string } = {}): KubeObject {
  const { name, namespace } = of.metadata;
  const clusterScoped = namespace === undefined;
  return {
    kind: of.kind,
    metadata: {
      name: clusterScoped ? clusterScopedHostName(name, HOST_NS, VC) : hostName(name, namespace, VC),
      ...(clusterScoped ? {} : { namespace: HOST_NS }),
      uid,
      labels: { 'vcluster.loft.sh/managed-by': clusterScoped ? clusterMarkerLabel(HOST_NS, VC) : VC, ...(namespace ? { 'vcluster.loft.sh/namespace': namespace } : {}) },
      annotations: {
        'vcluster.loft.sh/object-name': name,
        ...(namespace ? { 'vcluster.loft.sh/object-namespace': namespace } : {}),
        'vcluster.loft.sh/object-uid': of.metadata.uid ?? '',
        'vcluster.loft.sh/object-kind': of.kind === 'PriorityClass' ? 'scheduling.k8s.io/v1, Kind=PriorityClass' : `/v1, Kind=${of.kind}`,
      },
      ...extra,
    },
  };
}

/** An object as it arrives in a list answer (JSON). */
function listed(...objects: KubeObject[]): RawObject[] {
  return JSON.parse(JSON.stringify(objects)) as RawObject[];
}

function anOrphan(kind: string, name: string, uid: string, virtualName = name): OrphanedHostObject {
  return { pairId: `${kind}/default/${virtualName}`, kind, namespace: HOST_NS, name: hostName(virtualName, 'default', VC), uid, virtual: { namespace: 'default', name: virtualName } };
}

/**
 * FAKE reads of a host or a virtual cluster: list answers by path from memory (paged by two, to
 * follow continue tokens), an error for the paths told to fail; records every request.
 */
class FakeClusterReads {
  readonly requests: Array<{ method: string; path: string; query: Record<string, string | undefined>; accept?: string }> = [];
  constructor(private readonly lists: Record<string, RawObject[]>, private readonly failures: Record<string, Error> = {}) {}

  request<T>(method: string, path: string, options: { query?: Record<string, string | undefined>; accept?: string }): Promise<T> {
    this.requests.push({ method, path, query: options.query ?? {}, ...(options.accept ? { accept: options.accept } : {}) });
    const failure = this.failures[path];
    if (failure) return Promise.reject(failure);
    const items = this.lists[path] ?? [];
    const start = Number(options.query?.continue ?? 0);
    const next = start + 2 < items.length ? String(start + 2) : undefined;
    return Promise.resolve({ items: items.slice(start, start + 2), metadata: next ? { continue: next } : {} } as T);
  }
}

/** FAKE deletes: an answer (or an error) per host path; records each path and precondition uid. */
class FakeHostDeletes {
  readonly calls: Array<{ path: string; uid: string }> = [];
  constructor(private readonly answers: Record<string, unknown | Error>, private readonly onCall?: (path: string) => void) {}

  deleteIfUid<T>(path: string, uid: string): Promise<T> {
    this.calls.push({ path, uid });
    this.onCall?.(path);
    const answer = this.answers[path];
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer as T);
  }
}

const configMapPath = (orphan: OrphanedHostObject) => `/api/v1/namespaces/${HOST_NS}/configmaps/${orphan.name}`;

describe('orphan clean-up: which host objects are offered', () => {
  it('offers orphaned pairs only (virtual object gone or replaced), never synced, pending, virtual-only or control-plane ones, sorted by kind, namespace and name', () => {
    const kept = aVirtual('ConfigMap', 'default', 'kept');
    const gone = aVirtual('ConfigMap', 'default', 'gone');
    const goneService = aVirtual('Service', 'team', 'api');
    const oldPod = aVirtual('Pod', 'default', 'web', 'old-uid');
    const newPod = aVirtual('Pod', 'default', 'web', 'new-uid');
    const pending = aVirtual('Pod', 'default', 'pending');
    const deployment = aVirtual('Deployment', 'default', 'web');
    const pairs = buildMapping({
      vclusterName: VC, hostNamespace: HOST_NS, sync: syncSettings({ sync: { toHost: { configMaps: { all: true } } } }),
      virtualObjects: [kept, newPod, pending, deployment],
      hostObjects: [
        aHostCopy(kept, 'h-kept'), aHostCopy(gone, 'h-gone'), aHostCopy(goneService, 'h-api'), aHostCopy(oldPod, 'h-web'),
        { kind: 'Service', metadata: { name: VC, namespace: HOST_NS, uid: 'h-own', labels: { app: 'vcluster', release: VC } } },
        { kind: 'Secret', metadata: { name: `vc-config-${VC}`, namespace: HOST_NS, uid: 'h-config' } },
      ],
    });
    const statuses = new Set(pairs.map((pair) => pair.status));
    for (const status of ['synced', 'pending', 'orphaned', 'virtualOnly', 'controlPlane'] as const) assert.ok(statuses.has(status), `the mapping has ${status} pairs to choose from`);

    const offered = orphanCandidates(pairs);
    assert.deepEqual(offered.map((orphan) => [orphan.kind, orphan.name, orphan.uid]), [
      ['ConfigMap', hostName('gone', 'default', VC), 'h-gone'],
      ['Pod', hostName('web', 'default', VC), 'h-web'],
      ['Service', hostName('api', 'team', VC), 'h-api'],
    ]);
    assert.deepEqual(offered[1]?.virtual, { namespace: 'default', name: 'web' }, 'the replaced pod: its host copy is offered, the new virtual pod is named');
    assert.equal(offered[0]?.namespace, HOST_NS);
  });

  it('leaves out an orphaned pair without a host uid (no precondition possible) and one of a kind the syncer does not copy', () => {
    const pairs: MappingPair[] = [
      { id: 'ConfigMap/default/a', kind: 'ConfigMap', status: 'orphaned', virtual: { namespace: 'default', name: 'a' }, host: { namespace: HOST_NS, name: 'a-x-default-x-demo' } },
      { id: 'Widget/default/b', kind: 'Widget', status: 'orphaned', virtual: { namespace: 'default', name: 'b' }, host: { namespace: HOST_NS, name: 'b-x-default-x-demo', uid: 'h-b' } },
      { id: 'host:Secret/vcluster-demo/vc-demo', kind: 'Secret', status: 'controlPlane', host: { namespace: HOST_NS, name: 'vc-demo', uid: 'h-s' } },
    ];
    assert.deepEqual(orphanCandidates(pairs), []);
  });

  it('says why orphans cannot be told yet: loading, an error, the virtual cluster not connected or unreadable', () => {
    const problem = (status: MappingSourceState) => orphanSearchProblem(status);
    assert.equal(problem({ state: 'ready', virtualReachable: true }), undefined);
    assert.match(problem({ state: 'loading' }) ?? '', /not loaded/);
    assert.equal(problem({ state: 'error', message: 'host cluster: forbidden (403)' }), 'host cluster: forbidden (403)');
    assert.match(problem({ state: 'ready', virtualReachable: false }) ?? '', /not connected/);
    assert.match(problem({ state: 'ready', virtualReachable: false, virtualProblem: 'cannot reach the API server (ECONNREFUSED)' }) ?? '', /cannot be read: cannot reach/);
  });

  it('waits for the mapping to settle, gives up after its bound, and stops when cancelled', async () => {
    // FAKE source: a status and change listeners, as MappingSource has.
    type Listener = (changedIds: ReadonlySet<string> | undefined) => void;
    const listeners = new Set<Listener>();
    const source = {
      status: { state: 'loading' } as MappingSourceState,
      onDidChange: (listener: Listener) => {
        listeners.add(listener);
        return { dispose: () => void listeners.delete(listener) };
      },
    };
    const settled = settledMappingState(source, new AbortController().signal, 5_000);
    source.status = { state: 'loading' };
    for (const listener of [...listeners]) listener(undefined);
    source.status = { state: 'ready', virtualReachable: true };
    for (const listener of [...listeners]) listener(undefined);
    assert.deepEqual(await settled, { state: 'ready', virtualReachable: true });
    assert.equal(listeners.size, 0, 'its listener is removed');

    source.status = { state: 'loading' };
    assert.deepEqual(await settledMappingState(source, new AbortController().signal, 20), { state: 'loading' }, 'still loading after the bound');
    const controller = new AbortController();
    const cancelled = settledMappingState(source, controller.signal, 5_000);
    controller.abort(new Error('cancelled by the user'));
    await assert.rejects(cancelled, /cancelled by the user/);
    assert.equal(listeners.size, 0);
  });
});

describe('orphan clean-up: the fresh read before asking', () => {
  const goneA = aVirtual('ConfigMap', 'default', 'a');
  const goneB = aVirtual('ConfigMap', 'default', 'b');
  const back = aVirtual('ConfigMap', 'default', 'back');
  const leaving = aVirtual('ConfigMap', 'default', 'leaving');
  const rebuilt = aVirtual('ConfigMap', 'default', 'rebuilt');
  const slice = aVirtual('EndpointSlice', 'default', 'web-abc');
  const priority = aVirtual('PriorityClass', undefined, 'high');
  const candidates = [
    anOrphan('ConfigMap', 'a', 'h-a'),
    anOrphan('ConfigMap', 'b', 'h-b'),
    anOrphan('ConfigMap', 'back', 'h-back'),
    anOrphan('ConfigMap', 'leaving', 'h-leaving'),
    anOrphan('ConfigMap', 'rebuilt', 'h-rebuilt-old'),
    anOrphan('ConfigMap', 'deleted-meanwhile', 'h-deleted'),
    anOrphan('EndpointSlice', 'web-abc', 'h-slice'),
    { pairId: 'PriorityClass//high', kind: 'PriorityClass', name: clusterScopedHostName('high', HOST_NS, VC), uid: 'h-high', virtual: { name: 'high' } },
  ];
  const host = new FakeClusterReads({
    [`/api/v1/namespaces/${HOST_NS}/configmaps`]: listed(
      aHostCopy(goneA, 'h-a'), aHostCopy(goneB, 'h-b'), aHostCopy(back, 'h-back'), aHostCopy(leaving, 'h-leaving', { deletionTimestamp: '2026-12-01T00:00:00Z' }),
      // Deleted and made again (by a restore, say) since the mapping listed it: another uid.
      aHostCopy(rebuilt, 'h-rebuilt-new'),
    ),
    [`/apis/discovery.k8s.io/v1/namespaces/${HOST_NS}/endpointslices`]: listed(aHostCopy(slice, 'h-slice')),
    '/apis/scheduling.k8s.io/v1/priorityclasses': listed(aHostCopy(priority, 'h-high')),
  });
  const virtual = new FakeClusterReads({
    // The virtual object of `back` is there after all (a lagging watch had missed it).
    '/api/v1/configmaps': listed(aVirtual('ConfigMap', 'default', 'unrelated'), back),
  }, {
    // A kind this virtual cluster does not serve: its host objects must not look orphaned.
    '/apis/discovery.k8s.io/v1/endpointslices': new KubeApiError(404, 'the server could not find the requested resource'),
  });

  it('keeps only what a fresh read of both clusters still calls orphaned, and says why each other one is dropped', async () => {
    const check = await recheckOrphans({ host, virtual, vclusterName: VC, hostNamespace: HOST_NS }, candidates, new AbortController().signal);
    assert.deepEqual(check.orphans.map((orphan) => orphan.uid), ['h-a', 'h-b', 'h-high']);
    assert.deepEqual(Object.fromEntries(check.dropped.map(({ orphan, reason }) => [orphan.uid, reason])), {
      'h-back': 'a fresh read shows its virtual object',
      'h-leaving': 'it is being deleted already',
      'h-rebuilt-old': 'it is no longer on the host',
      'h-deleted': 'it is no longer on the host',
    });
    assert.deepEqual(check.unreadable, [{ kind: 'EndpointSlice', reason: 'the server could not find the requested resource' }]);
  });

  it('reads metadata only (never a Secret\'s data), follows continue tokens, and lists cluster-scoped host objects by this vCluster\'s marker', () => {
    for (const request of [...host.requests, ...virtual.requests]) {
      assert.equal(request.method, 'GET');
      assert.equal(request.accept, METADATA_ONLY_LIST_ACCEPT, `${request.path} asks for metadata only`);
    }
    const configMapPages = host.requests.filter((request) => request.path.endsWith('/configmaps'));
    assert.deepEqual(configMapPages.map((request) => request.query.continue), [undefined, '2', '4'], 'five host ConfigMaps in pages of two');
    const priorityClasses = host.requests.find((request) => request.path.endsWith('/priorityclasses'));
    assert.equal(priorityClasses?.query.labelSelector, `vcluster.loft.sh/managed-by=${clusterMarkerLabel(HOST_NS, VC)}`);
  });

  it('stops when cancelled instead of reporting the kinds as unreadable', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    const cancelledReads = new FakeClusterReads({}, { [`/api/v1/namespaces/${HOST_NS}/configmaps`]: new DOMException('aborted', 'AbortError') });
    await assert.rejects(recheckOrphans({ host: cancelledReads, virtual: cancelledReads, vclusterName: VC, hostNamespace: HOST_NS }, candidates.slice(0, 1), controller.signal), /cancelled/);
  });
});

describe('orphan clean-up: deleting', () => {
  const orphans = ['a', 'b', 'c', 'd', 'e'].map((name) => anOrphan('ConfigMap', name, `h-${name}`));
  const [a, b, c, d, e] = orphans as [OrphanedHostObject, OrphanedHostObject, OrphanedHostObject, OrphanedHostObject, OrphanedHostObject];

  it('deletes each with its uid as precondition: 404 is already gone, 409 (a new object of that name) is kept, 403 fails that one and the rest go on', async () => {
    const deletes = new FakeHostDeletes({
      [configMapPath(a)]: { kind: 'Status', status: 'Success' },
      [configMapPath(b)]: new KubeApiError(404, `configmaps "${b.name}" not found`),
      [configMapPath(c)]: new KubeApiError(409, 'Precondition failed: UID in precondition: h-c, UID in object meta: h-c2'),
      [configMapPath(d)]: new KubeApiError(403, `configmaps "${d.name}" is forbidden: User "dev" cannot delete resource "configmaps"`),
      [configMapPath(e)]: { metadata: { name: e.name, deletionTimestamp: '2026-12-01T00:00:00Z' } },
    });
    const seen: string[] = [];
    const report = await deleteOrphans(deletes, orphans, { signal: new AbortController().signal, onDeleted: (deletion, done, total) => seen.push(`${done}/${total} ${deletion.outcome}`) });
    assert.deepEqual(deletes.calls, orphans.map((orphan) => ({ path: configMapPath(orphan), uid: orphan.uid })));
    assert.deepEqual(report.deletions.map((deletion) => deletion.outcome), ['deleted', 'alreadyGone', 'recreated', 'failed', 'deleted']);
    assert.match(report.deletions[2]?.message ?? '', /^kept: a new object of that name has taken its place/);
    assert.match(report.deletions[3]?.message ?? '', /^forbidden \(403\): .*cannot delete/);
    assert.equal(report.deletions[4]?.message, 'deletion started (it is terminating)');
    assert.deepEqual(report.counts, { deleted: 2, alreadyGone: 1, recreated: 1, failed: 1, notAttempted: 0 });
    assert.deepEqual(seen, ['1/5 deleted', '2/5 alreadyGone', '3/5 recreated', '4/5 failed', '5/5 deleted']);
    assert.equal(report.cancelled, false);
    assert.equal(cleanupSummary(report), 'Deleted 2 orphaned host objects, 1 already gone, 1 kept (re-created under the same name), 1 failed.');
  });

  it('stops at a host it cannot reach (every further delete would fail alike) and leaves the rest untouched', async () => {
    const deletes = new FakeHostDeletes({
      [configMapPath(b)]: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }),
    });
    const report = await deleteOrphans(deletes, orphans, { signal: new AbortController().signal });
    assert.deepEqual(report.deletions.map((deletion) => deletion.outcome), ['deleted', 'failed', 'notAttempted', 'notAttempted', 'notAttempted']);
    assert.equal(deletes.calls.length, 2);
    assert.equal(report.stoppedBecause, 'cannot reach the API server (ECONNREFUSED)');
    assert.match(cleanupSummary(report), /1 failed, 3 not attempted \(cannot reach the API server \(ECONNREFUSED\)\)\.$/);
  });

  it('cancelled midway: what was deleted stays deleted, the rest is not attempted', async () => {
    const controller = new AbortController();
    const deletes = new FakeHostDeletes({}, (path) => {
      if (path === configMapPath(b)) controller.abort();
    });
    const report = await deleteOrphans(deletes, orphans, { signal: controller.signal });
    assert.deepEqual(report.deletions.map((deletion) => deletion.outcome), ['deleted', 'deleted', 'notAttempted', 'notAttempted', 'notAttempted']);
    assert.equal(report.cancelled, true);
    assert.equal(cleanupSummary(report), 'Deleted 2 orphaned host objects, 3 not attempted (cancelled).');
  });

  it('KubeClient.deleteIfUid sends DeleteOptions with the uid precondition; through it a 409 from the API server keeps the object', async () => {
    // A FAKE API server on loopback that records the DELETE and answers as the real one does
    // when the precondition fails.
    const received: Array<{ method?: string; url?: string; contentType?: string; body: unknown }> = [];
    const server = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ method: request.method, url: request.url, contentType: request.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        response.writeHead(409, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Conflict', code: 409, message: 'Precondition failed: UID in precondition: h-a, UID in object meta: h-a2' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = new KubeClient(aKubeConfigFor(`http://127.0.0.1:${(server.address() as { port: number }).port}`));
      const report = await deleteOrphans(client, [a], { signal: new AbortController().signal });
      assert.deepEqual(received, [{
        method: 'DELETE', url: configMapPath(a), contentType: 'application/json',
        body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'h-a' } },
      }]);
      assert.equal(report.deletions[0]?.outcome, 'recreated');
    } finally {
      server.close();
    }
  });
});

describe('orphan clean-up: what the user reads', () => {
  it('names each object (kind namespace/name) and, past twenty, says how many more', () => {
    const many = Array.from({ length: 25 }, (_, index) => anOrphan('ConfigMap', `cm-${String(index).padStart(2, '0')}`, `h-${index}`));
    const text = orphanListText(many).split('\n');
    assert.equal(text.length, 21);
    assert.equal(text[0], `• ConfigMap ${HOST_NS}/${hostName('cm-00', 'default', VC)} (of virtual default/cm-00)`);
    assert.equal(text[20], '…and 5 more (all of them are listed in the output log)');
    assert.equal(orphanListText(many.slice(0, 2)).split('\n').length, 2, 'no "more" line when all fit');
    assert.equal(describeHostObject({ kind: 'PriorityClass', name: 'vcluster-high-x-ns-x-demo' }), 'PriorityClass vcluster-high-x-ns-x-demo', 'a cluster-scoped object has no namespace');
  });
});
