import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeClient } from '../../src/kube/client';
import { MemoryLogger } from '../../src/process/log';
import { buildMapping, clusterMarkerLabel, syncSettings, type MappingPair } from '../../src/vcluster/mapping/mapping';
import { lean } from '../../src/vcluster/mapping/leanObject';
import { diffPairs, MappingSource } from '../../src/vcluster/mapping/mappingSource';
import { clusterScopedHostName, safeConcatName } from '../../src/vcluster/mapping/hostNames';
import { anUnreachableKubeConfig } from './builders/kube';

const pair = (id: string, status: MappingPair['status'], hostName?: string): MappingPair => ({
  id, kind: 'Pod', status, virtual: { namespace: 'default', name: id, uid: `uid-${id}` }, ...(hostName ? { host: { namespace: 'vcluster-demo', name: hostName } } : {}),
});

describe('MappingSource parts', () => {
  it('diffPairs names the pairs added, removed, or changed in status or either side', () => {
    const before = [pair('a', 'pending', 'a-x'), pair('b', 'synced', 'b-x'), pair('c', 'synced', 'c-x'), pair('d', 'synced', 'd-x')];
    const after = [pair('a', 'synced', 'a-x'), pair('b', 'synced', 'b-x'), pair('d', 'synced', 'd-other'), pair('e', 'virtualOnly')];
    assert.deepEqual([...diffPairs(before, after)].sort(), ['a', 'c', 'd', 'e']);
    assert.equal(diffPairs(after, after.map((entry) => ({ ...entry }))).size, 0);
  });

  it('diffPairs names a pair whose object was edited without changing anything the row shows', () => {
    const edited = (id: string, hostVersion: string, virtualVersion = '7'): MappingPair => ({
      id, kind: 'ConfigMap', status: 'synced',
      virtual: { namespace: 'default', name: id, uid: `uid-${id}`, resourceVersion: virtualVersion },
      host: { namespace: 'vcluster-demo', name: `${id}-x-default-x-demo`, resourceVersion: hostVersion },
    });
    const before = [edited('a', '10'), edited('b', '11'), edited('c', '12')];
    assert.deepEqual([...diffPairs(before, [edited('a', '10'), edited('b', '15'), edited('c', '12', '8')])].sort(), ['b', 'c']);
    assert.equal(diffPairs(before, before.map((entry) => ({ ...entry }))).size, 0);
  });

  it('keeps objects lean: metadata without managedFields, and of virtual pods only the references the mapping follows', () => {
    const raw = {
      kind: 'Pod',
      metadata: {
        name: 'web-1', namespace: 'default', uid: 'u1', resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z',
        labels: { app: 'web' }, annotations: { note: 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{"huge":true}' },
        managedFields: [{ manager: 'kubectl' }],
      },
      spec: {
        nodeName: 'n1',
        volumes: [{ name: 'cfg', configMap: { name: 'app-config', items: [{ key: 'a', path: 'a' }] } }, { name: 'data', emptyDir: {} }, { name: 'tok', projected: { sources: [{ serviceAccountToken: { path: 't' } }, { configMap: { name: 'kube-root-ca.crt' } }] } }],
        containers: [{ name: 'web', image: 'nginx', command: ['run'], env: [{ name: 'A', value: '1' }, { name: 'B', valueFrom: { secretKeyRef: { name: 'creds', key: 'b' } } }], envFrom: [{ configMapRef: { name: 'env-config' } }] }],
        imagePullSecrets: [{ name: 'pull' }],
      },
      status: { phase: 'Running' },
    };
    const virtualPod = lean(raw, { kind: 'Pod', side: 'virtual' });
    assert.deepEqual(virtualPod.metadata, { name: 'web-1', namespace: 'default', uid: 'u1', creationTimestamp: '2026-01-01T00:00:00Z', resourceVersion: '5' });
    const json = JSON.stringify(virtualPod);
    for (const gone of ['managedFields', 'nodeName', 'emptyDir', 'nginx', 'Running', 'serviceAccountToken', '"value"']) assert.ok(!json.includes(gone), `${gone} is dropped`);
    // …and the mapping still finds every reference through the lean copy.
    const pairs = buildMapping({
      vclusterName: 'demo', hostNamespace: 'vcluster-demo', hostObjects: [], sync: syncSettings(undefined),
      virtualObjects: [virtualPod, ...['app-config', 'kube-root-ca.crt', 'env-config'].map((name) => ({ kind: 'ConfigMap', metadata: { name, namespace: 'default' } })), ...['creds', 'pull'].map((name) => ({ kind: 'Secret', metadata: { name, namespace: 'default' } }))],
    });
    assert.deepEqual(pairs.filter((entry) => entry.kind !== 'Pod').map((entry) => `${entry.id}=${entry.status}`).sort(),
      ['ConfigMap/default/app-config=pending', 'ConfigMap/default/env-config=pending', 'ConfigMap/default/kube-root-ca.crt=pending', 'Secret/default/creds=pending', 'Secret/default/pull=pending']);
    assert.equal(lean(raw, { kind: 'Pod', side: 'host' }).spec, undefined, 'host pods: metadata only');
    assert.equal(lean({ metadata: { name: 'x' } }, { kind: 'Secret', side: 'host' }).kind, 'Secret', 'list items get their kind');
  });

  it('a host that cannot be reached is an error state; stop() leaves nothing running', async () => {
    const config = anUnreachableKubeConfig();
    const logger = new MemoryLogger();
    const source = new MappingSource({ vclusterName: 'demo', hostNamespace: 'vcluster-demo', hostClient: new KubeClient(config), logger, coalesceMs: 10 });
    const changes: Array<ReadonlySet<string> | undefined> = [];
    source.onDidChange((changedIds) => changes.push(changedIds));
    source.start();
    const deadline = Date.now() + 5000;
    while (source.status.state !== 'error' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(source.status, { state: 'error', message: 'host cluster: cannot reach the API server (ECONNREFUSED)' });
    assert.ok(changes.length >= 1 && changes.every((ids) => ids === undefined), 'a state change: everything may have changed');
    assert.ok(logger.lines.some((line) => /could not read Secret vc-config-demo .*chart's defaults/.test(line)));
    source.dispose();
    const count = changes.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(changes.length, count, 'nothing after dispose');
    // The node:test file would not end if a retry timer or socket were left behind.
  });
});

describe('buildMapping: cluster-scoped host objects', () => {
  it('are the vCluster\'s when labelled with the syncer\'s cluster marker, SafeConcatName(hostNamespace, "x", vcluster)', () => {
    assert.equal(clusterMarkerLabel('vcluster-demo', 'demo'), 'vcluster-demo-x-demo');
    assert.equal(clusterMarkerLabel('n'.repeat(60), 'demo'), safeConcatName('n'.repeat(60), 'x', 'demo'));
    const sync = syncSettings({ sync: { toHost: { priorityClasses: { enabled: true } } } });
    const hostObject = (marker: string) => ({
      kind: 'PriorityClass',
      metadata: {
        name: clusterScopedHostName('high', 'vcluster-demo', 'demo'),
        labels: { 'vcluster.loft.sh/managed-by': marker },
        annotations: { 'vcluster.loft.sh/object-name': 'high', 'vcluster.loft.sh/object-uid': 'u-high', 'vcluster.loft.sh/object-kind': 'scheduling.k8s.io/v1, Kind=PriorityClass' },
      },
    });
    const virtual = { kind: 'PriorityClass', metadata: { name: 'high', uid: 'u-high' } };
    const ours = buildMapping({ vclusterName: 'demo', hostNamespace: 'vcluster-demo', sync, virtualObjects: [virtual], hostObjects: [hostObject('vcluster-demo-x-demo')] });
    assert.deepEqual(ours.map((entry) => [entry.id, entry.status, entry.host?.name]), [['PriorityClass//high', 'synced', clusterScopedHostName('high', 'vcluster-demo', 'demo')]]);
    // A same-named vCluster in another namespace marks its own with its namespace: not ours.
    const theirs = buildMapping({ vclusterName: 'demo', hostNamespace: 'vcluster-demo', sync, virtualObjects: [virtual], hostObjects: [hostObject('other-ns-x-demo')] });
    assert.deepEqual(theirs.map((entry) => entry.status), ['pending']);
  });
});
