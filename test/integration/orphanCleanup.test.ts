// Orphan clean-up against real orphans: a vCluster made by the real CLI and chart on the tier's
// local host, its real syncer copying a pod, ConfigMaps and Services to the host. Then the syncer
// is held stopped (SIGSTOP) while its virtual cluster keeps serving, and virtual objects are
// deleted or replaced: their host copies stay behind, as they do while a syncer is down (a
// syncer resumed at that point deletes them itself: orphans by its own judgement too). The
// vCluster goes on with a syncer restarted afresh, which must copy the replacement anew.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../src/kube/client';
import { MemoryLogger } from '../../src/process/log';
import { hostName } from '../../src/vcluster/mapping/hostNames';
import { MappingSource } from '../../src/vcluster/mapping/mappingSource';
import {
  deleteOrphans, orphanCandidates, orphanSearchProblem, recheckOrphans, settledMappingState, type OrphanCheck, type OrphanedHostObject,
} from '../../src/vcluster/mapping/orphanCleanup';
import { ensureVClusterBinaries } from '../env/vclusterBinaries';
import { upVCluster, type LocalVCluster } from '../env/vclusterFixture';
import { holdSyncerStopped, type HeldSyncer } from './support/heldSyncer';
import { testHost, waitFor } from './support/host';

const NAME = 'orphans';
const NAMESPACE = `vcluster-orphans-${process.pid}`;
const CORE = '/api/v1/namespaces/default';
const onHost = (name: string) => hostName(name, 'default', NAME);
const timeout = () => AbortSignal.timeout(15_000);
/** For calls that bound each of their requests themselves. */
const never = () => new AbortController().signal;

/** The kinds the syncer copies by default, as the oracle below reads them on both sides. */
const KINDS = [
  { kind: 'Pod', api: '/api/v1', resource: 'pods' },
  { kind: 'Service', api: '/api/v1', resource: 'services' },
  { kind: 'ConfigMap', api: '/api/v1', resource: 'configmaps' },
  { kind: 'Secret', api: '/api/v1', resource: 'secrets' },
  { kind: 'Endpoints', api: '/api/v1', resource: 'endpoints' },
  { kind: 'EndpointSlice', api: '/apis/discovery.k8s.io/v1', resource: 'endpointslices' },
  { kind: 'PersistentVolumeClaim', api: '/api/v1', resource: 'persistentvolumeclaims' },
];

interface Listed { kind: string; name: string; uid: string; labels: Record<string, string>; annotations: Record<string, string> }

function clientFor(kubeconfig: string): KubeClient {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  return new KubeClient(config);
}

/** Every host object of those kinds in the vCluster's namespace (metadata of Secrets only). */
async function hostObjects(host: KubeClient): Promise<Listed[]> {
  const all: Listed[] = [];
  for (const { kind, api, resource } of KINDS) {
    const list = await host.request<{ items: Array<{ metadata: { name: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string> } }> }>('GET', `${api}/namespaces/${NAMESPACE}/${resource}`, {
      accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
    }, timeout());
    for (const item of list.items) all.push({ kind, name: item.metadata.name, uid: item.metadata.uid, labels: item.metadata.labels ?? {}, annotations: item.metadata.annotations ?? {} });
  }
  return all;
}

/**
 * The oracle, straight from the API and independent of buildMapping: the syncer's host objects
 * (its managed-by label and object-name annotation) whose virtual object is not found, or is
 * found with another uid than the one the host object recorded.
 */
async function orphansByOracle(host: KubeClient, virtual: KubeClient): Promise<Set<string>> {
  const orphans = new Set<string>();
  for (const object of await hostObjects(host)) {
    const name = object.annotations['vcluster.loft.sh/object-name'];
    if (object.labels['vcluster.loft.sh/managed-by'] !== NAME || !name) continue;
    const kind = KINDS.find((entry) => entry.kind === object.kind)!;
    const namespace = object.annotations['vcluster.loft.sh/object-namespace'];
    const path = `${kind.api}${namespace ? `/namespaces/${namespace}` : ''}/${kind.resource}/${name}`;
    const uid = await virtual.getJson<{ metadata: { uid: string } }>(path, {}, timeout()).then((found) => found.metadata.uid, (error: { status?: number }) => {
      if (error.status === 404) return undefined;
      throw error;
    });
    if (uid === undefined || uid !== object.annotations['vcluster.loft.sh/object-uid']) orphans.add(object.uid);
  }
  return orphans;
}

const uidsOf = (orphans: readonly OrphanedHostObject[]) => new Set(orphans.map((orphan) => orphan.uid));

describe('orphan clean-up with real orphans (the real syncer held stopped while virtual objects are deleted or replaced)', () => {
  let vcluster: LocalVCluster;
  let host: KubeClient;
  let held: HeldSyncer | undefined;
  let source: MappingSource;
  let replacedVirtualUid: string;
  /** Host objects after the syncer copied everything, before anything was deleted. */
  let hostBefore: Listed[];
  let found: OrphanCheck;
  const logger = new MemoryLogger();
  const sources: MappingSource[] = [];
  const hostUid = (kind: string, name: string) => hostBefore.find((object) => object.kind === kind && object.name === name)?.uid;

  before(async () => {
    const cluster = testHost();
    vcluster = await upVCluster({ cluster, vcluster: await ensureVClusterBinaries(), name: NAME, namespace: NAMESPACE });
    host = clientFor(cluster.kubeconfig);
    const virtual = clientFor(vcluster.kubeconfig);
    const create = (resource: string, body: object) => virtual.request('POST', `${CORE}/${resource}`, { body: { apiVersion: 'v1', ...body } }, timeout());
    const configMap = (name: string) => create('configmaps', { kind: 'ConfigMap', metadata: { name }, data: { owner: name } });
    const pod = (name: string, configMaps: string[]) => create('pods', { kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1', envFrom: configMaps.map((each) => ({ configMapRef: { name: each } })) }] } });
    // Services without a selector: no endpoints are made for them, on either side.
    const service = (name: string) => create('services', { kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }] } });
    for (const name of ['gone-config', 'kept-config', 'replaced-config']) await configMap(name);
    await pod('gone-user', ['gone-config']);
    await pod('kept-user', ['kept-config', 'replaced-config']);
    for (const name of ['gone-svc', 'kept-svc']) await service(name);
    const copies = [['Pod', 'gone-user'], ['Pod', 'kept-user'], ['ConfigMap', 'gone-config'], ['ConfigMap', 'kept-config'], ['ConfigMap', 'replaced-config'], ['Service', 'gone-svc'], ['Service', 'kept-svc']];
    await waitFor('the syncer to copy the pods, ConfigMaps and Services to the host', 90_000, async () => {
      const objects = await hostObjects(host);
      return copies.every(([kind, name]) => objects.some((object) => object.kind === kind && object.name === onHost(name!))) ? objects : undefined;
    }, 500);

    held = await holdSyncerStopped({ clusterName: cluster.name, vcluster, host });
    assert.equal(held.state(), 'T', 'the syncer is stopped');
    // Taken once the syncer is held: until then it may still add objects of its own (the Service
    // it makes for a node a pod was scheduled to arrived after an earlier snapshot once, in CI).
    hostBefore = await hostObjects(host);
    const direct = held.virtual;
    // Deleted (the pod at once, as nobody would confirm its end) and replaced while the syncer cannot act.
    await direct.request('DELETE', `${CORE}/pods/gone-user`, { query: { gracePeriodSeconds: '0' } }, timeout());
    await direct.request('DELETE', `${CORE}/configmaps/gone-config`, {}, timeout());
    await direct.request('DELETE', `${CORE}/services/gone-svc`, {}, timeout());
    await direct.request('DELETE', `${CORE}/configmaps/replaced-config`, {}, timeout());
    const replacement = await direct.request<{ metadata: { uid: string } }>('POST', `${CORE}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'replaced-config' }, data: { owner: 'the replacement' } } }, timeout());
    replacedVirtualUid = replacement.metadata.uid;

    source = new MappingSource({ vclusterName: NAME, hostNamespace: NAMESPACE, hostClient: host, virtualClient: direct, logger });
    sources.push(source);
    source.start();
  });

  after(async () => {
    for (const each of sources) each.dispose();
    if (process.exitCode) console.log(`mapping log:\n${logger.lines.slice(-30).join('\n')}`);
    held?.resume();
    if (vcluster) {
      if (process.exitCode) console.log(`syncer log (last lines):\n${vcluster.syncer.logTail(40)}`);
      await vcluster.remove();
    }
    await host?.request('DELETE', `/api/v1/namespaces/${NAMESPACE}`, {}, timeout()).catch(() => undefined);
  });

  it('finds exactly the real orphans (deleted and replaced virtual objects), not the synced pairs nor the control plane, and a fresh read confirms them', async () => {
    assert.equal(held?.state(), 'T', 'the syncer is still held');
    const state = await settledMappingState(source, never(), 60_000);
    assert.equal(orphanSearchProblem(state), undefined, JSON.stringify(state));
    const oracle = await orphansByOracle(host, held!.virtual);
    const expected = [['Pod', onHost('gone-user')], ['ConfigMap', onHost('gone-config')], ['Service', onHost('gone-svc')], ['ConfigMap', onHost('replaced-config')]];
    for (const [kind, name] of expected) assert.ok(oracle.has(hostUid(kind!, name!)!), `the oracle counts ${kind} ${name} as orphaned`);

    const candidates = await waitFor('the mapping to show the oracle\'s orphans', 30_000, async () => {
      const offered = orphanCandidates(source.pairs);
      return offered.length === oracle.size && offered.every((orphan) => oracle.has(orphan.uid)) ? offered : undefined;
    }, 100).catch((error: Error) => {
      throw new Error(`${error.message}; offered: ${orphanCandidates(source.pairs).map((orphan) => `${orphan.kind} ${orphan.name}`).join(', ')}`);
    });
    console.log(`    ${candidates.length} orphans: ${candidates.map((orphan) => `${orphan.kind} ${orphan.name}`).join(', ')}`);
    const synced = source.pairs.filter((pair) => pair.status === 'synced').map((pair) => pair.host?.uid);
    const controlPlane = source.pairs.filter((pair) => pair.status === 'controlPlane').map((pair) => pair.host?.uid);
    for (const [kind, name] of [['Pod', onHost('kept-user')], ['ConfigMap', onHost('kept-config')], ['Service', onHost('kept-svc')]]) {
      assert.ok(synced.includes(hostUid(kind!, name!)), `${kind} ${name} is synced`);
    }
    assert.ok(controlPlane.includes(hostUid('Service', NAME)) && controlPlane.includes(hostUid('Secret', `vc-config-${NAME}`)), 'the control plane is in the mapping');
    for (const uid of [...synced, ...controlPlane]) assert.ok(!uidsOf(candidates).has(uid!), 'no synced or control-plane object is offered');
    assert.equal(candidates.find((orphan) => orphan.name === onHost('replaced-config'))?.virtual.name, 'replaced-config');

    found = await recheckOrphans({ host, virtual: held!.virtual, vclusterName: NAME, hostNamespace: NAMESPACE }, candidates, never());
    assert.deepEqual(found.dropped, []);
    assert.deepEqual(found.unreadable, []);
    assert.deepEqual(uidsOf(found.orphans), oracle);
  });

  it('deletes exactly those: one deleted by someone else first is "already gone", one deleted and made again under its name meanwhile is kept (uid precondition); every other host object stays', async () => {
    assert.ok(found, 'the first test found the orphans');
    const someoneElsesDelete = found.orphans.find((orphan) => orphan.kind === 'Service' && orphan.name === onHost('gone-svc'))!;
    const remade = found.orphans.find((orphan) => orphan.kind === 'ConfigMap' && orphan.name === onHost('gone-config'))!;
    const configMapPath = `/api/v1/namespaces/${NAMESPACE}/configmaps/${remade.name}`;
    await host.request('DELETE', `/api/v1/namespaces/${NAMESPACE}/services/${someoneElsesDelete.name}`, {}, timeout());
    await host.request('DELETE', configMapPath, {}, timeout());
    // Somebody's own ConfigMap under the same name, between the listing and the delete.
    const newcomer = await host.request<{ metadata: { uid: string } }>('POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: remade.name }, data: { owner: 'someone else' } } }, timeout());

    const started = performance.now();
    const report = await deleteOrphans(host, found.orphans, { signal: never() });
    console.log(`    ${found.orphans.length} deletes in ${Math.round(performance.now() - started)} ms`);
    const outcomes = Object.fromEntries(report.deletions.map((deletion) => [`${deletion.orphan.kind} ${deletion.orphan.name}`, deletion.outcome]));
    assert.equal(outcomes[`Service ${someoneElsesDelete.name}`], 'alreadyGone');
    assert.equal(outcomes[`ConfigMap ${remade.name}`], 'recreated');
    const deleted = found.orphans.filter((orphan) => orphan !== someoneElsesDelete && orphan !== remade);
    for (const orphan of deleted) assert.equal(outcomes[`${orphan.kind} ${orphan.name}`], 'deleted');
    assert.deepEqual(report.counts, { deleted: deleted.length, alreadyGone: 1, recreated: 1, failed: 0, notAttempted: 0 });

    const kept = await host.getJson<{ metadata: { uid: string }; data: Record<string, string> }>(configMapPath, {}, timeout());
    assert.equal(kept.metadata.uid, newcomer.metadata.uid, 'the newcomer is still there');
    assert.deepEqual(kept.data, { owner: 'someone else' });
    // The host pod ends through kwok (its grace period); then the host holds exactly what it held
    // before, less the orphans, plus the newcomer.
    const expectedUids = new Set([...hostBefore.map((object) => object.uid).filter((uid) => !uidsOf(found.orphans).has(uid)), newcomer.metadata.uid]);
    await waitFor('the deleted orphans to be gone and everything else to stay', 60_000, async () => {
      const now = new Set((await hostObjects(host)).map((object) => object.uid));
      return now.size === expectedUids.size && [...expectedUids].every((uid) => now.has(uid)) ? true : undefined;
    }, 250).catch(async (error: Error) => {
      const now = await hostObjects(host);
      throw new Error(`${error.message}; extra: ${now.filter((object) => !expectedUids.has(object.uid)).map((object) => `${object.kind} ${object.name}`).join(', ')}; missing: ${hostBefore.filter((object) => expectedUids.has(object.uid) && !now.some((other) => other.uid === object.uid)).map((object) => `${object.kind} ${object.name}`).join(', ')}`);
    });
  });

  it('a second run finds none; the syncer started afresh (killed while held, restarted as kubelet would) copies the replacing ConfigMap anew, and no orphan is left', async () => {
    // A fresh mapping (new lists, nothing cached) and the live one both come up empty.
    const fresh = new MappingSource({ vclusterName: NAME, hostNamespace: NAMESPACE, hostClient: host, virtualClient: held!.virtual, logger });
    sources.push(fresh);
    fresh.start();
    assert.equal(orphanSearchProblem(await settledMappingState(fresh, never(), 60_000)), undefined);
    assert.deepEqual(orphanCandidates(fresh.pairs), []);
    await waitFor('the live mapping to follow the deletes', 30_000, async () => (orphanCandidates(source.pairs).length === 0 ? true : undefined), 100);
    assert.deepEqual(await recheckOrphans({ host, virtual: held!.virtual, vclusterName: NAME, hostNamespace: NAMESPACE }, orphanCandidates(source.pairs), never()), { orphans: [], dropped: [], unreadable: [] });
    for (const each of [fresh, source]) each.stop();

    // The newcomer goes before the syncer runs again: v0.36.1 adopts a host object named like its
    // copies even without markers (imports it as a virtual object, then deletes it as unused).
    await host.request('DELETE', `/api/v1/namespaces/${NAMESPACE}/configmaps/${onHost('gone-config')}`, {}, timeout());
    const heldPid = held!.pid;
    held!.restartFresh();
    const copy = await waitFor('the restarted syncer to copy the replacing ConfigMap to the host', 150_000, async () => {
      const copied = await host.getJson<{ metadata: { annotations?: Record<string, string> }; data?: Record<string, string> }>(`/api/v1/namespaces/${NAMESPACE}/configmaps/${onHost('replaced-config')}`, {}, timeout()).catch(() => undefined);
      return copied?.metadata.annotations?.['vcluster.loft.sh/object-uid'] === replacedVirtualUid ? copied : undefined;
    }, 500);
    assert.notEqual(vcluster.syncer.pid, heldPid, 'a new syncer process');
    assert.deepEqual(copy.data, { owner: 'the replacement' });
    // Through the syncer's own proxy again, as the extension reads a connected vCluster.
    const afterRestart = new MappingSource({ vclusterName: NAME, hostNamespace: NAMESPACE, hostClient: host, virtualClient: clientFor(vcluster.kubeconfig), logger });
    sources.push(afterRestart);
    afterRestart.start();
    assert.equal(orphanSearchProblem(await settledMappingState(afterRestart, never(), 60_000)), undefined);
    assert.deepEqual(orphanCandidates(afterRestart.pairs), [], 'no orphan after the restart');
    for (const name of ['replaced-config', 'kept-config']) assert.equal(afterRestart.pairs.find((pair) => pair.id === `ConfigMap/default/${name}`)?.status, 'synced', name);
  });
});
