import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildMapping, countByStatus, kindFromMarker, syncSettings, type KubeObject, type MappingPair } from '../../src/vcluster/mapping/mapping';
import { hostName } from '../../src/vcluster/mapping/hostNames';

const VC = 'demo';
const HOST_NS = 'vcluster-demo';

/** A virtual object as the virtual API server lists it. */
function virtual(kind: string, namespace: string | undefined, name: string, extra: Partial<KubeObject> = {}): KubeObject {
  return { kind, metadata: { name, ...(namespace ? { namespace } : {}), uid: `uid-${kind}-${namespace}-${name}` }, ...extra };
}

/** The host object the syncer (v0.21+) makes of `of`, with its markers. */
function synced(of: KubeObject, options: { uid?: string; legacy?: boolean } = {}): KubeObject {
  const { name, namespace } = of.metadata;
  const gvk = of.kind === 'Ingress' ? 'networking.k8s.io/v1, Kind=Ingress' : `/v1, Kind=${of.kind}`;
  return {
    kind: of.kind,
    metadata: {
      name: hostName(name, namespace ?? '', VC),
      namespace: HOST_NS,
      uid: `host-${name}`,
      labels: { 'vcluster.loft.sh/managed-by': VC, ...(namespace ? { 'vcluster.loft.sh/namespace': namespace } : {}) },
      annotations: {
        'vcluster.loft.sh/object-name': name,
        ...(namespace ? { 'vcluster.loft.sh/object-namespace': namespace } : {}),
        'vcluster.loft.sh/object-uid': options.uid ?? of.metadata.uid ?? '',
        ...(options.legacy ? {} : { 'vcluster.loft.sh/object-kind': gvk }),
      },
    },
  };
}

const byId = (pairs: MappingPair[]) => new Map(pairs.map((pair) => [pair.id, pair]));
const defaults = syncSettings(undefined);

describe('syncer mapping model', () => {
  it('reads which kinds sync from the vCluster config, chart defaults for the rest', () => {
    assert.ok(defaults.enabled.has('Pod') && defaults.enabled.has('Service') && !defaults.enabled.has('Ingress'));
    const custom = syncSettings({ sync: { toHost: { ingresses: { enabled: true }, services: { enabled: false }, configMaps: { all: true } } } });
    assert.ok(custom.enabled.has('Ingress') && !custom.enabled.has('Service') && custom.enabled.has('Pod'));
    assert.ok(custom.syncAll.has('ConfigMap') && !custom.syncAll.has('Secret'));
    assert.equal(kindFromMarker('networking.k8s.io/v1, Kind=Ingress'), 'Ingress');
    assert.equal(kindFromMarker('/v1, Kind=Pod'), 'Pod');
    assert.equal(kindFromMarker(undefined), undefined);
  });

  it('pairs synced objects, and marks pending, orphaned, replaced and virtual-only ones', () => {
    const web = virtual('Pod', 'default', 'web-1', { spec: { volumes: [{ configMap: { name: 'app-config' } }], containers: [{ envFrom: [{ secretRef: { name: 'creds' } }] }] } });
    const fresh = virtual('Pod', 'default', 'web-2');
    const config = virtual('ConfigMap', 'default', 'app-config');
    const unused = virtual('ConfigMap', 'default', 'unused');
    const creds = virtual('Secret', 'default', 'creds');
    const deployment = virtual('Deployment', 'default', 'web');
    const ingress = virtual('Ingress', 'default', 'web');
    const replaced = virtual('Service', 'team', 'api');
    const gone = virtual('Pod', 'default', 'deleted');
    const pairs = buildMapping({
      vclusterName: VC, hostNamespace: HOST_NS, sync: defaults,
      virtualObjects: [web, fresh, config, unused, creds, deployment, ingress, replaced],
      hostObjects: [synced(web), synced(config), synced(replaced, { uid: 'an-older-uid' }), synced(gone)],
    });
    const pair = byId(pairs);
    assert.equal(pair.get('Pod/default/web-1')?.status, 'synced');
    assert.equal(pair.get('Pod/default/web-1')?.host?.name, 'web-1-x-default-x-demo');
    assert.equal(pair.get('Pod/default/web-2')?.status, 'pending');
    assert.deepEqual(pair.get('Pod/default/web-2')?.host, { namespace: HOST_NS, name: 'web-2-x-default-x-demo' }, 'pending shows where it will go');
    assert.equal(pair.get('ConfigMap/default/app-config')?.status, 'synced');
    assert.equal(pair.get('Secret/default/creds')?.status, 'pending', 'a Secret a pod uses is on its way');
    assert.equal(pair.get('ConfigMap/default/unused')?.status, 'virtualOnly', 'a ConfigMap no pod uses is not synced by default');
    assert.equal(pair.get('Deployment/default/web')?.status, 'virtualOnly');
    assert.equal(pair.get('Ingress/default/web')?.status, 'virtualOnly', 'ingresses are off by default');
    assert.equal(pair.get('Service/team/api')?.status, 'orphaned', 'the host object belongs to an older object of that name');
    assert.equal(pair.get('Pod/default/deleted')?.status, 'orphaned');
    assert.deepEqual(countByStatus(pairs), { synced: 2, pending: 2, error: 0, orphaned: 2, virtualOnly: 3, controlPlane: 0 });
  });

  it('shows the vCluster\'s own objects and the default/kubernetes Service', () => {
    const kubernetes = virtual('Service', 'default', 'kubernetes');
    const own: KubeObject = { kind: 'Service', metadata: { name: VC, namespace: HOST_NS, labels: { app: 'vcluster', release: VC } } };
    const headless: KubeObject = { kind: 'Service', metadata: { name: `${VC}-headless`, namespace: HOST_NS, labels: { app: 'vcluster', release: VC } } };
    const pairs = buildMapping({ vclusterName: VC, hostNamespace: HOST_NS, sync: defaults, virtualObjects: [kubernetes], hostObjects: [own, headless] });
    const pair = byId(pairs);
    assert.equal(pair.get('Service/default/kubernetes')?.status, 'synced');
    assert.equal(pair.get('Service/default/kubernetes')?.host?.name, VC);
    assert.equal(pair.get(`host:Service/${HOST_NS}/${VC}-headless`)?.status, 'controlPlane');
  });

  it('works from host markers alone when the virtual cluster is unreachable, v0.19/v0.20 markers included', () => {
    const pod = virtual('Pod', 'default', 'web-1');
    const legacy = virtual('ConfigMap', 'team', 'settings');
    const otherVCluster = { ...synced(virtual('Pod', 'default', 'x')), metadata: { ...synced(virtual('Pod', 'default', 'x')).metadata, labels: { 'vcluster.loft.sh/managed-by': 'other' } } };
    const pairs = buildMapping({ vclusterName: VC, hostNamespace: HOST_NS, sync: defaults, hostObjects: [synced(pod), synced(legacy, { legacy: true }), otherVCluster] });
    assert.deepEqual(pairs.map((pair) => [pair.id, pair.status, pair.host?.name]).sort(), [
      ['ConfigMap/team/settings', 'synced', 'settings-x-team-x-demo'],
      ['Pod/default/web-1', 'synced', 'web-1-x-default-x-demo'],
    ]);
  });

  it('gives every pair a stable id: the same input twice gives the same ids', () => {
    const objects = [virtual('Pod', 'a', 'p'), virtual('Service', 'a', 'p')];
    const input = { vclusterName: VC, hostNamespace: HOST_NS, sync: defaults, virtualObjects: objects, hostObjects: objects.map((object) => synced(object)) };
    assert.deepEqual(buildMapping(input).map((pair) => pair.id), buildMapping(input).map((pair) => pair.id));
    assert.equal(new Set(buildMapping(input).map((pair) => pair.id)).size, 2, 'same name, different kinds: two pairs');
  });
});
