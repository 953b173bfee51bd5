import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { DiffLine, MetadataRow } from '../../src/vcluster/compare/comparisonModel';
import {
  comparePairObjects, NOTE_HOST_UNREAD, NOTE_NEITHER_READ, NOTE_SECRET_HIDDEN, NOTE_VIRTUAL_UNREAD, type KubeJson,
} from '../../src/vcluster/compare/pairComparison';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const toYaml = (value: unknown) => stringify(value, { sortMapEntries: true });

/** A Pod as the virtual API server returns it. */
function virtualPod(): KubeJson {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web', namespace: 'default', uid: 'virtual-uid-1', resourceVersion: '812',
      labels: { app: 'web', tier: 'frontend' },
      annotations: { 'example.com/owner': 'team-a', 'example.com/build': '41' },
    },
    spec: {
      serviceAccountName: 'default',
      containers: [{ name: 'web', image: 'nginx:1.27', env: [{ name: 'MODE', value: 'prod' }], ports: [{ containerPort: 80 }] }],
    },
    status: { phase: 'Running', podIP: '10.244.0.12' },
  };
}

/** The host Pod the vCluster syncer makes of virtualPod() for vCluster "vc". */
function hostPod(): KubeJson {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-x-default-x-vc', namespace: 'vcluster-vc', uid: 'host-uid-9', resourceVersion: '40211',
      labels: { app: 'web', tier: 'frontend', 'vcluster.loft.sh/managed-by': 'vc', 'vcluster.loft.sh/namespace': 'default' },
      annotations: {
        'example.com/owner': 'team-a',
        'example.com/build': '42',
        'vcluster.loft.sh/object-name': 'web',
        'vcluster.loft.sh/object-namespace': 'default',
        'vcluster.loft.sh/object-uid': 'virtual-uid-1',
        'vcluster.loft.sh/object-kind': '/v1, Kind=Pod',
        'vcluster.loft.sh/labels': 'app=web\ntier=frontend',
        'vcluster.loft.sh/service-account-name': 'default',
        'scheduler.example.com/zone': 'eu-1',
      },
    },
    spec: {
      serviceAccountName: 'vc-workload-vc',
      nodeName: 'kind-worker',
      hostAliases: [{ ip: '10.96.0.1', hostnames: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc'] }],
      containers: [{
        name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }],
        env: [{ name: 'MODE', value: 'prod' }, { name: 'KUBERNETES_SERVICE_HOST', value: '10.96.0.1' }, { name: 'KUBERNETES_SERVICE_PORT', value: '443' }],
      }],
    },
    status: { phase: 'Running', podIP: '10.244.1.7', hostIP: '172.18.0.3' },
  };
}

const rowOf = (rows: readonly MetadataRow[], key: string) => rows.find((row) => row.key === key);
/** The lines of one op, trimmed and unquoted (YAML quotes the placeholders, which hold ": "). */
const texts = (body: readonly DiffLine[], op: 'same' | 'added' | 'removed') =>
  body.flatMap((line) => (line.op === op ? [line.text.replaceAll('"', '').trim()] : []));
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('pair comparison', () => {
  it('classifies the labels and annotations the syncer kept, rewrote and added', () => {
    const { labels, annotations, notes } = comparePairObjects('Pod', virtualPod(), hostPod(), toYaml);
    assert.deepEqual(notes, []);
    assert.deepEqual(rowOf(labels, 'app'), { key: 'app', virtual: 'web', host: 'web', change: 'same' });
    assert.deepEqual(rowOf(labels, 'vcluster.loft.sh/managed-by'), { key: 'vcluster.loft.sh/managed-by', host: 'vc', change: 'marker' });
    assert.deepEqual(labels.map((row) => row.change), ['marker', 'marker', 'same', 'same']);
    assert.deepEqual(rowOf(annotations, 'example.com/build'), { key: 'example.com/build', virtual: '41', host: '42', change: 'rewritten' });
    assert.equal(rowOf(annotations, 'vcluster.loft.sh/object-kind')?.host, '/v1, Kind=Pod');
    assert.equal(rowOf(annotations, 'vcluster.loft.sh/object-kind')?.change, 'marker');
    assert.equal(rowOf(annotations, 'scheduler.example.com/zone')?.change, 'hostOnly');
    assert.equal(rowOf(annotations, 'example.com/owner')?.change, 'same');
    // Changed rows first (rewritten, marker, hostOnly, virtualOnly, same), by key within a group.
    assert.deepEqual(annotations.map((row) => row.key), [
      'example.com/build',
      'vcluster.loft.sh/labels', 'vcluster.loft.sh/object-kind', 'vcluster.loft.sh/object-name', 'vcluster.loft.sh/object-namespace',
      'vcluster.loft.sh/object-uid', 'vcluster.loft.sh/service-account-name',
      'scheduler.example.com/zone',
      'example.com/owner',
    ]);
  });

  it('marks a label the host lacks as virtual-only', () => {
    const host = hostPod();
    delete (host.metadata as { labels: Record<string, string> }).labels.tier;
    const { labels } = comparePairObjects('Pod', virtualPod(), host, toYaml);
    assert.deepEqual(rowOf(labels, 'tier'), { key: 'tier', virtual: 'frontend', change: 'virtualOnly' });
  });

  it('diffs the spec, virtual → host, without metadata, status, apiVersion or kind', () => {
    const virtual = virtualPod();
    const host = hostPod();
    const { body } = comparePairObjects('Pod', virtual, host, toYaml);
    const added = texts(body, 'added');
    assert.ok(added.some((text) => text.includes('KUBERNETES_SERVICE_HOST')), 'the syncer adds the service env');
    assert.ok(added.some((text) => text.includes('hostAliases')));
    assert.ok(added.some((text) => text.includes('nodeName: kind-worker')));
    assert.ok(texts(body, 'removed').some((text) => text.includes('serviceAccountName: default')));
    assert.ok(added.some((text) => text.includes('serviceAccountName: vc-workload-vc')));
    const everything = JSON.stringify(body);
    for (const absent of ['status', 'podIP', 'Running', 'resourceVersion', 'web-x-default-x-vc', 'apiVersion', 'kind: Pod']) {
      assert.ok(!everything.includes(absent), `${absent} is not in the body`);
    }
    assert.deepEqual(virtual, virtualPod(), 'the inputs are not changed');
    assert.deepEqual(host, hostPod());
  });

  it('never shows a Secret value, yet shows which keys and sizes differ', () => {
    const secret = (data: Record<string, string>, extra: KubeJson = {}): KubeJson => ({
      apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
      metadata: { name: 'creds', namespace: 'default', annotations: { [LAST_APPLIED]: JSON.stringify({ data }) } },
      data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, base64(value)])),
      ...extra,
    });
    const plaintexts = ['hunter2-pass', 'hunter3-pass', 's3cr3t-token-value', 'same-on-both', 'only-virtual', 'longer-host-value', 'typed-in-plain'];
    const virtual = secret({ password: 'hunter2-pass', token: 's3cr3t-token-value', shared: 'same-on-both', old: 'only-virtual' });
    const host = secret({ password: 'hunter3-pass', token: 'longer-host-value!!', shared: 'same-on-both' }, { stringData: { note: 'typed-in-plain' } });
    const result = comparePairObjects('Secret', virtual, host, toYaml);
    const everything = JSON.stringify(result);
    for (const plaintext of plaintexts) {
      assert.ok(!everything.includes(plaintext), `the plaintext ${plaintext} is hidden`);
      assert.ok(!everything.includes(base64(plaintext)), `the base64 of ${plaintext} is hidden`);
    }
    assert.ok(!everything.includes('hunter'), 'not even a prefix of a value');
    assert.ok(result.notes.includes(NOTE_SECRET_HIDDEN));
    assert.deepEqual(rowOf(result.annotations, LAST_APPLIED), { key: LAST_APPLIED, virtual: '<hidden>', host: '<hidden>', change: 'rewritten' });

    const removed = texts(result.body, 'removed');
    const added = texts(result.body, 'added');
    const same = texts(result.body, 'same');
    // Equal length, different content: the placeholders differ by their short hash.
    const passwordRemoved = removed.find((text) => text.includes('password:'));
    const passwordAdded = added.find((text) => text.includes('password:'));
    assert.match(passwordRemoved ?? '', /^password: <hidden: 12 bytes, sha256 [0-9a-f]{8}>/);
    assert.match(passwordAdded ?? '', /^password: <hidden: 12 bytes, sha256 [0-9a-f]{8}>/);
    assert.notEqual(passwordRemoved, passwordAdded);
    // Different lengths show without a hash; equal values are the same line; one-side keys show.
    assert.ok(removed.includes('token: <hidden: 18 bytes>'));
    assert.ok(added.includes('token: <hidden: 19 bytes>'));
    assert.ok(same.includes('shared: <hidden: 12 bytes>'));
    assert.ok(![...removed, ...added].some((text) => text.startsWith('shared:')), 'equal values: one unchanged line, no hash');
    assert.ok(removed.includes('old: <hidden: 12 bytes>'));
    assert.ok(added.includes('note: <hidden: 14 bytes>'), 'stringData is hidden too');
  });

  it('shows only the host side, as host-only rows, when the virtual object could not be read', () => {
    const result = comparePairObjects('Pod', undefined, hostPod(), toYaml);
    assert.deepEqual(result.notes, [NOTE_VIRTUAL_UNREAD]);
    assert.deepEqual(rowOf(result.labels, 'app'), { key: 'app', host: 'web', change: 'hostOnly' });
    assert.equal(rowOf(result.labels, 'vcluster.loft.sh/managed-by')?.change, 'marker');
    assert.ok(result.body.length > 0 && result.body.every((line) => line.op === 'added'));
  });

  it('shows only the virtual side when the host object could not be read, and notes when neither could', () => {
    const result = comparePairObjects('Pod', virtualPod(), undefined, toYaml);
    assert.deepEqual(result.notes, [NOTE_HOST_UNREAD]);
    assert.ok(result.labels.every((row) => row.change === 'virtualOnly' && row.host === undefined));
    assert.ok(result.body.length > 0 && result.body.every((line) => line.op === 'removed'));
    assert.deepEqual(comparePairObjects('Secret', undefined, undefined, toYaml), { labels: [], annotations: [], body: [], notes: [NOTE_NEITHER_READ, NOTE_SECRET_HIDDEN] });
  });

  it('truncates long annotation values, but compares them whole', () => {
    const applied = JSON.stringify({ spec: { blob: 'x'.repeat(5_000) } });
    const virtual = virtualPod();
    const host = hostPod();
    (virtual.metadata as { annotations: Record<string, string> }).annotations[LAST_APPLIED] = applied;
    (host.metadata as { annotations: Record<string, string> }).annotations[LAST_APPLIED] = `${applied} `;
    const row = rowOf(comparePairObjects('Pod', virtual, host, toYaml).annotations, LAST_APPLIED);
    assert.equal(row?.change, 'rewritten', 'the values differ after the cut');
    assert.equal(row?.virtual, `${applied.slice(0, 2_000)}… (${applied.length - 2_000} more characters)`);
    assert.equal(row?.host, `${applied.slice(0, 2_000)}… (${applied.length + 1 - 2_000} more characters)`);
    const short = rowOf(comparePairObjects('Pod', virtual, host, toYaml).annotations, 'example.com/owner');
    assert.equal(short?.virtual, 'team-a');
  });
});
