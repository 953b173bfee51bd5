import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { KubeClient } from '../../src/kube/client';
import { KubeApiError } from '../../src/kube/errors';
import {
  backingStoreType,
  currentRelease,
  DamagedReleaseError,
  decodeHelmRelease,
  imagesFromConfig,
  sleepSettings,
  syncDirections,
  type VClusterDescription,
} from '../../src/vcluster/describe/describeModel';
import { describeText, rfc1123z } from '../../src/vcluster/describe/describeText';
import { describeVCluster } from '../../src/vcluster/describe/describeVCluster';
import { readSleepSettings } from '../../src/vcluster/describe/readSleepSettings';
import { aHelmReleaseData, aHelmReleaseDataOf, aVClusterConfig } from './builders/helmRelease';
import { aPod, aStatefulSet } from './builders/kube';

describe('backingStoreType (config.BackingStoreType)', () => {
  const cases: Array<[string, Record<string, unknown> | undefined, string]> = [
    ['nothing enabled: embedded database', undefined, 'embedded-database'],
    ['embedded etcd', { etcd: { embedded: { enabled: true } } }, 'embedded-etcd'],
    ['external etcd', { etcd: { external: { enabled: true } } }, 'external-etcd'],
    ['deployed etcd', { etcd: { deploy: { enabled: true } } }, 'deployed-etcd'],
    ['external database', { database: { external: { enabled: true } } }, 'external-database'],
    ['embedded etcd wins over a database, in the CLI\'s order', { etcd: { embedded: { enabled: true } }, database: { external: { enabled: true } } }, 'embedded-etcd'],
    ['"enabled: false" everywhere', { etcd: { deploy: { enabled: false } }, database: { embedded: { enabled: false } } }, 'embedded-database'],
  ];
  for (const [name, backingStore, expected] of cases) {
    it(name, () => assert.equal(backingStoreType(aVClusterConfig(backingStore ? { backingStore } : {})), expected));
  }
  it('a config that is not an object reads as the default', () => assert.equal(backingStoreType('not a config'), 'embedded-database'));
});

describe('imagesFromConfig (getImagesFromConfig)', () => {
  // Image.String() adds library/ to the default repository too: the CLI's own test expects
  // ghcr.io/loft-sh/library/vcluster-pro, and the real CLI prints it (test/integration/describe.test.ts).
  it('defaults the syncer to ghcr.io/loft-sh + vcluster-pro at the vCluster\'s version, and shows no API server without a repository', () => {
    assert.deepEqual(imagesFromConfig(aVClusterConfig(), '0.36.1'), { syncer: 'ghcr.io/loft-sh/library/vcluster-pro:0.36.1' });
  });
  it('takes the syncer image the config names, and the default registry override', () => {
    const config = aVClusterConfig({ defaultImageRegistry: 'registry.example.com', syncerImage: { repository: 'loft-sh/vcluster-oss', tag: '0.30.0' } });
    assert.deepEqual(imagesFromConfig(config, '0.36.1'), { syncer: 'registry.example.com/loft-sh/vcluster-oss:0.30.0' });
  });
  it('shows the API server when its repository is set, adding Docker\'s library/ to a one-part repository behind a registry', () => {
    const config = aVClusterConfig({ apiServerImage: { registry: 'registry.k8s.io', repository: 'kube-apiserver', tag: 'v1.33.4' } });
    assert.equal(imagesFromConfig(config, '0.36.1').apiServer, 'registry.k8s.io/library/kube-apiserver:v1.33.4');
  });
  it('leaves the syncer untagged when neither the config nor the version says a tag', () => {
    assert.equal(imagesFromConfig(aVClusterConfig(), undefined).syncer, 'ghcr.io/loft-sh/library/vcluster-pro');
  });
});

describe('decodeHelmRelease and currentRelease (helm\'s Secrets.Get, as the CLI reads it)', () => {
  it('decodes base64 → base64 → gzip → JSON and keeps the user\'s values', () => {
    const release = decodeHelmRelease('sh.helm.release.v1.vc.v2', aHelmReleaseData({ version: 2, config: { sync: { toHost: { ingresses: { enabled: true } } } } }));
    assert.equal(release.version, 2);
    assert.equal(release.status, 'deployed');
    assert.deepEqual(release.config, { sync: { toHost: { ingresses: { enabled: true } } } });
  });
  it('reads a release stored before helm compressed them', () => {
    assert.deepEqual(decodeHelmRelease('s', aHelmReleaseData({ compressed: false, config: { a: 1 } })).config, { a: 1 });
  });
  it('says which Secret is damaged, and how, without quoting its content', () => {
    const secret = 'THE-USERS-PASSWORD-hunter2';
    const cases = [
      aHelmReleaseDataOf(Buffer.from('x')),
      aHelmReleaseDataOf(Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08]), Buffer.from(secret)])),
      aHelmReleaseDataOf(Buffer.from(`{"config": "${secret}`)),
      aHelmReleaseDataOf(gzipSync(Buffer.from(`[${JSON.stringify(secret)}]`))),
    ];
    for (const data of cases) {
      assert.throws(() => decodeHelmRelease('sh.helm.release.v1.vc.v1', data), (error: unknown) => {
        assert.ok(error instanceof DamagedReleaseError);
        assert.match(error.message, /sh\.helm\.release\.v1\.vc\.v1 is damaged/);
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      });
    }
  });
  it('the current release is the highest version neither superseded nor uninstalled', () => {
    const release = (version: number, status: string) => ({ secretName: `v${version}`, version, status, config: {} });
    assert.equal(currentRelease([release(1, 'superseded'), release(3, 'failed'), release(2, 'deployed')])?.version, 3);
    assert.equal(currentRelease([release(4, 'uninstalled'), release(2, 'deployed')])?.version, 2);
    assert.equal(currentRelease([release(1, 'superseded')]), undefined);
  });
});

describe('syncDirections and sleepSettings', () => {
  it('lists each direction\'s kinds with their flags, the tree\'s defaults for kinds the config leaves out', () => {
    const sync = syncDirections(aVClusterConfig({
      toHost: { ingresses: { enabled: true }, secrets: { enabled: true, all: true }, customResources: { 'foos.example.com': { enabled: true } } },
      fromHost: { events: { enabled: true }, csiDrivers: { enabled: 'auto' }, ingressClasses: { enabled: false } },
    }));
    const toHost = new Map(sync.toHost.map((entry) => [entry.key, entry]));
    assert.equal(toHost.get('ingresses')?.enabled, true);
    assert.equal(toHost.get('secrets')?.all, true);
    assert.equal(toHost.get('customResources/foos.example.com')?.enabled, true);
    assert.equal(toHost.get('pods')?.enabled, true, 'pods sync by the chart\'s default');
    assert.equal(toHost.get('networkPolicies')?.enabled, false);
    assert.deepEqual(sync.fromHost, [
      { key: 'csiDrivers', enabled: 'auto' },
      { key: 'events', enabled: true },
      { key: 'ingressClasses', enabled: false },
    ]);
  });
  it('reads sleep (v0.24+) or the older sleepMode, flattened; none without either', () => {
    assert.deepEqual(sleepSettings({ sleep: { auto: { afterInactivity: '1h', exclude: { selector: { labels: { keep: 'yes' } } } } } }), {
      configKey: 'sleep',
      settings: [{ key: 'auto.afterInactivity', value: '1h' }, { key: 'auto.exclude.selector.labels.keep', value: 'yes' }],
    });
    assert.deepEqual(sleepSettings({ sleepMode: { enabled: true, autoSleep: { schedule: '0 20 * * *' } } })?.settings, [
      { key: 'enabled', value: 'true' },
      { key: 'autoSleep.schedule', value: '0 20 * * *' },
    ]);
    assert.equal(sleepSettings(aVClusterConfig()), undefined);
    assert.equal(sleepSettings({ sleep: {} }), undefined);
  });
});

function aDescription(overrides: Partial<VClusterDescription> = {}): VClusterDescription {
  return {
    name: 'vc',
    namespace: 'vcluster-vc',
    hostContext: 'kind-host',
    version: '0.36.1',
    status: 'Running',
    created: new Date('2026-11-01T09:05:03Z'),
    backingStore: 'embedded-database',
    images: { syncer: 'ghcr.io/loft-sh/vcluster-pro:0.36.1' },
    userConfigYaml: 'sync:\n  toHost:\n    ingresses:\n      enabled: true\n',
    sync: { toHost: [{ key: 'ingresses', enabled: true }, { key: 'pods', enabled: true }, { key: 'priorityClasses', enabled: false }], fromHost: [{ key: 'events', enabled: true }] },
    sleep: undefined,
    ...overrides,
  };
}

describe('describeText', () => {
  it('lays out the CLI\'s fields aligned two spaces past the longest label, then sync, sleep and the vcluster.yaml', () => {
    assert.equal(describeText(aDescription()), [
      'Name:           vc',
      'Namespace:      vcluster-vc',
      'Host Context:   kind-host',
      'Version:        0.36.1',
      'Backing Store:  embedded-database',
      'Created:        Sun, 01 Nov 2026 09:05:03 +0000',
      'Status:         Running',
      'Images:',
      '  syncer:  ghcr.io/loft-sh/vcluster-pro:0.36.1',
      '',
      'Synced to the host:',
      '  ingresses',
      '  pods',
      '  not synced: priorityClasses',
      '',
      'Synced from the host:',
      '  events',
      '',
      'Sleep:',
      '  not configured (no sleep or sleepMode in the config)',
      '',
      '------------------- vcluster.yaml -------------------',
      'sync:',
      '  toHost:',
      '    ingresses:',
      '      enabled: true',
      '-----------------------------------------------------',
      '',
    ].join('\n'));
  });
  it('shows the sleep settings, auto and all flags, and why the vcluster.yaml is missing', () => {
    const text = describeText(aDescription({
      sleep: { configKey: 'sleep', settings: [{ key: 'auto.afterInactivity', value: '1h' }] },
      sync: { toHost: [{ key: 'secrets', enabled: true, all: true }], fromHost: [{ key: 'csiDrivers', enabled: 'auto' }] },
      userConfigYaml: undefined,
      userConfigProblem: 'no helm release Secret',
    }));
    assert.match(text, /\n {2}sleep\.auto\.afterInactivity: {2}1h\n/);
    assert.match(text, /\n {2}secrets \(all\)\n/);
    assert.match(text, /\n {2}csiDrivers \(auto\)\n/);
    assert.match(text, /\n# not available: no helm release Secret\n/);
  });
  it('shows the current sleep state before the settings: type, since when (a date), how long a forced sleep lasts', () => {
    const text = describeText(aDescription({
      status: 'Sleeping (workloads only)',
      sleepMarks: { 'sleepmode.loft.sh/sleep-type': 'forcedDurationSleep', 'sleepmode.loft.sh/sleeping-since': '1767225600', 'sleepmode.loft.sh/force-duration': '3600' },
      sleep: { configKey: 'sleep', settings: [{ key: 'auto.afterInactivity', value: '1h' }] },
    }));
    assert.match(text, /^Status: +Sleeping \(workloads only\)$/m);
    assert.match(text, /\nSleep:\n {2}Sleep type: {6}forcedDurationSleep \(put to sleep on request, for a set time\)\n {2}Sleeping since: {2}Thu, 01 Jan 2026 00:00:00 \+0000\n {2}Forced for: {6}1h\n {2}sleep\.auto\.afterInactivity: {2}1h\n/);
    const unconfigured = describeText(aDescription({ sleepMarks: { 'sleepmode.loft.sh/sleep-type': 'forcedSleep' } }));
    assert.match(unconfigured, /\nSleep:\n {2}Sleep type: {2}forcedSleep \(put to sleep on request\)\n {2}not configured/);
  });
  it('says Starting where the CLI has no status yet, as the tree does', () => {
    assert.match(describeText(aDescription({ status: '' })), /^Status: +Starting$/m);
  });
  it('says the chart\'s defaults when the user gave no values', () => {
    assert.match(describeText(aDescription({ userConfigYaml: '{}\n' })), /# \(no values: the chart's defaults\)/);
  });
  it('formats dates as Go\'s RFC1123Z in UTC', () => assert.equal(rfc1123z(new Date('2026-01-05T23:59:09Z')), 'Mon, 05 Jan 2026 23:59:09 +0000'));
});

/** A FAKE host: answers the describe's GETs from a map of path → object; an unknown list is empty, an unknown object 404. */
function fakeHost(objects: Record<string, unknown>): KubeClient {
  return {
    getJson: (path: string, query: Record<string, string | undefined>) => {
      const key = query.labelSelector ? `${path}?${query.labelSelector}` : path;
      if (key in objects) return Promise.resolve(structuredClone(objects[key]));
      return query.labelSelector ? Promise.resolve({ items: [] }) : Promise.reject(new KubeApiError(404, `${path} not found`));
    },
  } as unknown as KubeClient;
}

function hostWith(options: { config?: string; configSecret?: boolean; configSecretAnnotations?: Record<string, string>; releases?: string[] }): KubeClient {
  const ns = '/api/v1/namespaces/vcluster-vc';
  const selector = 'app=vcluster,release=vc';
  const objects: Record<string, unknown> = {
    [`/apis/apps/v1/namespaces/vcluster-vc/statefulsets?${selector}`]: { items: [aStatefulSet({ image: 'ghcr.io/loft-sh/vcluster-pro:0.36.1' })] },
    [`/apis/apps/v1/namespaces/vcluster-vc/deployments?${selector}`]: { items: [] },
    [`${ns}/pods?${selector}`]: { items: [aPod()] },
    [`${ns}/secrets?owner=helm,name=vc`]: { items: (options.releases ?? []).map((release, index) => ({ metadata: { name: `sh.helm.release.v1.vc.v${index + 1}` }, data: { release } })) },
  };
  if (options.configSecret !== false) {
    objects[`${ns}/secrets/vc-config-vc`] = {
      metadata: { name: 'vc-config-vc', namespace: 'vcluster-vc', annotations: options.configSecretAnnotations ?? {} },
      data: { 'config.yaml': Buffer.from(options.config ?? 'sync:\n  toHost:\n    ingresses:\n      enabled: true\n').toString('base64') },
    };
  }
  return fakeHost(objects);
}

describe('describeVCluster (reading, against a FAKE host)', () => {
  const vcluster = { hostContext: 'kind-host', namespace: 'vcluster-vc', name: 'vc' };
  const signal = AbortSignal.timeout(5_000);

  it('combines the workload, the effective config and the current release', async () => {
    const description = await describeVCluster({ client: hostWith({ releases: [aHelmReleaseData({ version: 1, status: 'superseded', config: { old: true } }), aHelmReleaseData({ version: 2, config: { sync: { toHost: { ingresses: { enabled: true } } } } })] }), vcluster, signal });
    assert.equal(description.status, 'Running');
    assert.equal(description.version, '0.36.1');
    assert.equal(description.backingStore, 'embedded-database');
    assert.equal(description.images.syncer, 'ghcr.io/loft-sh/library/vcluster-pro:0.36.1');
    assert.equal(description.userConfigYaml, 'sync:\n  toHost:\n    ingresses:\n      enabled: true\n');
    assert.ok(description.sync.toHost.some((entry) => entry.key === 'ingresses' && entry.enabled === true));
  });
  it('reads the status as the CLI does, the config Secret\'s sleep-type included, and keeps its sleep marks for the text', async () => {
    const description = await describeVCluster({ client: hostWith({ configSecretAnnotations: { 'sleepmode.loft.sh/sleep-type': 'forcedSleep', 'sleepmode.loft.sh/sleeping-since': '1767225600', 'other/annotation': 'x' } }), vcluster, signal });
    assert.equal(description.status, 'Sleeping (workloads only)');
    assert.deepEqual(description.sleepMarks, { 'sleepmode.loft.sh/sleep-type': 'forcedSleep', 'sleepmode.loft.sh/sleeping-since': '1767225600' });
    const awake = await describeVCluster({ client: hostWith({}), vcluster, signal });
    assert.equal(awake.status, 'Running');
    assert.equal(awake.sleepMarks, undefined);
  });
  it('a missing vc-config Secret is named', async () => {
    await assert.rejects(describeVCluster({ client: hostWith({ configSecret: false }), vcluster, signal }), /Secret vc-config-vc is missing in namespace vcluster-vc/);
  });
  it('a damaged config says so and where, without quoting it', async () => {
    await assert.rejects(describeVCluster({ client: hostWith({ config: 'password: hunter2\n  bad: [' }), vcluster, signal }), (error: Error) => {
      assert.match(error.message, /vc-config-vc's config\.yaml is damaged: not valid YAML/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });
  it('without a release the description says why the vcluster.yaml is missing; a damaged one names its Secret', async () => {
    const none = await describeVCluster({ client: hostWith({ releases: [] }), vcluster, signal });
    assert.match(none.userConfigProblem ?? '', /no helm release Secret/);
    const damaged = await describeVCluster({ client: hostWith({ releases: [aHelmReleaseDataOf(Buffer.from('{"config": "hunter2'))] }), vcluster, signal });
    assert.match(damaged.userConfigProblem ?? '', /sh\.helm\.release\.v1\.vc\.v1 is damaged/);
    assert.doesNotMatch(damaged.userConfigProblem ?? '', /hunter2/);
  });
  it('a vCluster that is not there says where it looked', async () => {
    await assert.rejects(describeVCluster({ client: hostWith({}), vcluster: { ...vcluster, name: 'other' }, signal }), /no vCluster other in namespace vcluster-vc of kind-host/);
  });
});

describe('readSleepSettings (the tooltip\'s one read, against a FAKE host)', () => {
  const vcluster = { hostContext: 'kind-host', namespace: 'vcluster-vc', name: 'vc' };
  const signal = AbortSignal.timeout(5_000);
  it('the flattened sleep section of the config, or none', async () => {
    assert.deepEqual(await readSleepSettings({ client: hostWith({ config: 'sleep:\n  auto:\n    afterInactivity: 2h\nsecret: hunter2\n' }), vcluster, signal }), {
      state: 'ok', sleep: { configKey: 'sleep', settings: [{ key: 'auto.afterInactivity', value: '2h' }] },
    });
    assert.deepEqual(await readSleepSettings({ client: hostWith({}), vcluster, signal }), { state: 'ok', sleep: undefined });
  });
  it('says why it has none, without quoting the config', async () => {
    assert.deepEqual(await readSleepSettings({ client: hostWith({ configSecret: false }), vcluster, signal }), { state: 'unavailable', problem: 'no Secret vc-config-vc (charts before v0.20 did not write one)' });
    const damaged = await readSleepSettings({ client: hostWith({ config: 'password: hunter2\n  bad: [' }), vcluster, signal });
    assert.equal(damaged.state, 'unavailable');
    assert.match(damaged.state === 'unavailable' ? damaged.problem : '', /vc-config-vc's config\.yaml is damaged/);
    assert.doesNotMatch(JSON.stringify(damaged), /hunter2/);
  });
});
