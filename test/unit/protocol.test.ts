import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspectorHtml } from '../../src/inspector/inspectorHtml';
import { rowChanges, toPairRow } from '../../src/inspector/pairRows';
import { toPairDetailMessage } from '../../src/inspector/pairDetailMessage';
import { PAIR_STATUSES as WIRE_STATUSES, parseHostMessage, parseWebviewMessage, PROTOCOL_VERSION, type HostMessage, type PairDetail } from '../../src/shared/protocol';
import type { PairComparisonDetail } from '../../src/vcluster/compare/comparisonModel';
import { PAIR_STATUSES, type MappingPair } from '../../src/vcluster/mapping/mapping';

const vcluster = { name: 'vc', namespace: 'vcluster-vc', hostContext: 'kind-dev' };
const detail: PairDetail = {
  id: 'Pod/default/web', kind: 'Pod', status: 'synced', virtual: { namespace: 'default', name: 'web' }, host: { namespace: 'vcluster-vc', name: 'web-x-default-x-vc' },
  virtualRead: true, hostRead: true,
  labels: [{ key: 'app', virtual: 'web', host: 'web', change: 'same' }, { key: 'vcluster.loft.sh/managed-by', host: 'vc', change: 'marker' }],
  annotations: [], body: [{ op: 'skip', count: 3 }, { op: 'added', text: '  hostAliases:' }], notes: ['a note'],
  events: [{ side: 'virtual', type: 'Warning', reason: 'SyncError', message: 'Error syncing to host cluster: exceeded quota', count: 2, lastSeen: '2026-12-07T14:55:29.402579Z', source: 'pod-syncer' }, { side: 'host', type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned', count: 1 }],
  eventNotes: ['Events on the host cannot be read: forbidden'],
};

describe('the core model and the wire format, mapped at the edge (src/inspector)', () => {
  it('has the same pair statuses on both sides, in the same order', () => {
    assert.deepEqual([...WIRE_STATUSES], [...PAIR_STATUSES]);
  });

  it('turns a comparison into a detail message the webview accepts whole, and leaves no field behind', () => {
    const comparison: PairComparisonDetail = {
      ...detail,
      host: { name: 'cluster-scoped' },
      labels: [...detail.labels, { key: 'only-virtual', virtual: 'x', change: 'virtualOnly' }],
      // The core keeps which object an event is about; the wire needs only what the table shows.
      events: detail.events.map((event) => ({ ...event, involved: { kind: 'Pod', namespace: 'default', name: 'web' } })),
    };
    const message = toPairDetailMessage(comparison);
    assert.deepEqual(message, { ...comparison, events: detail.events });
    assert.deepEqual(parseHostMessage(JSON.parse(JSON.stringify({ type: 'detail', detail: message }))), { type: 'detail', detail: message });
  });
});

describe('webview protocol validation', () => {
  it('accepts every message it defines, unchanged', () => {
    const fromWebview = [
      { type: 'ready', protocolVersion: PROTOCOL_VERSION }, { type: 'reportError', message: 'x' }, { type: 'selectPair', id: 'Pod/default/web' },
      { type: 'openYaml', id: 'Pod/default/web', side: 'host' }, { type: 'compareSides', id: 'a' }, { type: 'revealInTree', id: 'a' },
    ];
    for (const message of fromWebview) assert.deepEqual(parseWebviewMessage(message), message);
    const fromHost: HostMessage[] = [
      { type: 'snapshot', protocolVersion: PROTOCOL_VERSION, vcluster, source: { state: 'ready', virtualReachable: false, note: 'timeout' }, rows: [{ id: 'a', kind: 'Pod', status: 'pending', virtualName: 'web', hostName: 'web-x' }], focusId: 'a' },
      { type: 'snapshot', protocolVersion: PROTOCOL_VERSION, vcluster, source: { state: 'loading' }, rows: [] },
      { type: 'update', source: { state: 'error', message: 'host down' }, upserts: [], removedIds: ['a'] },
      { type: 'focusPair', id: 'a' },
      { type: 'showGroup', namespace: 'default', kind: 'Pod' },
      { type: 'showGroup', namespace: '(cluster scope)' },
      { type: 'detail', detail },
      { type: 'detailError', id: 'a', message: 'forbidden' },
    ];
    for (const message of fromHost) assert.deepEqual(parseHostMessage(JSON.parse(JSON.stringify(message))), message);
  });

  it('drops unknown fields instead of passing them through', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'reportError', message: 'x', command: 'rm -rf' }), { type: 'reportError', message: 'x' });
    assert.deepEqual(parseWebviewMessage({ type: 'openYaml', id: 'a', side: 'host', path: '/etc/passwd' }), { type: 'openYaml', id: 'a', side: 'host' });
    const parsed = parseHostMessage({ type: 'update', source: { state: 'loading', extra: 1 }, upserts: [{ id: 'a', kind: 'Pod', status: 'synced', html: '<img onerror=x>' }], removedIds: [] });
    assert.deepEqual(parsed, { type: 'update', source: { state: 'loading' }, upserts: [{ id: 'a', kind: 'Pod', status: 'synced' }], removedIds: [] });
  });

  it('rejects anything malformed, whole messages at a time', () => {
    for (const bad of [null, undefined, 42, 'ready', [], {}, { type: 'ready' }, { type: 'ready', protocolVersion: '1' },
      { type: 'toString' }, { type: '__proto__' }, { type: 'reportError', message: 'x'.repeat(10_001) },
      { type: 'selectPair', id: '' }, { type: 'selectPair', id: 'x'.repeat(1001) }, { type: 'openYaml', id: 'a', side: 'both' },
      { type: 'snapshot', protocolVersion: 2, vcluster, source: { state: 'loading' }, rows: [] }]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
    const row = { id: 'a', kind: 'Pod', status: 'synced' };
    for (const bad of [
      { type: 'ready', protocolVersion: 1 },
      { type: 'snapshot', protocolVersion: 2, vcluster, source: { state: 'loading' }, rows: [row, { ...row, status: 'lost' }] },
      { type: 'snapshot', protocolVersion: 2, vcluster: { name: 'vc' }, source: { state: 'loading' }, rows: [] },
      { type: 'snapshot', protocolVersion: 2, vcluster, source: { state: 'ready' }, rows: [] },
      { type: 'update', source: { state: 'loading' }, upserts: [{ ...row, hostName: 7 }], removedIds: [] },
      { type: 'update', source: { state: 'loading' }, upserts: {}, removedIds: [] },
      { type: 'detail', detail: { ...detail, labels: [{ key: 'a', change: 'moved' }] } },
      { type: 'detail', detail: { ...detail, body: [{ op: 'skip', count: 0 }] } },
      { type: 'detail', detail: { ...detail, virtualRead: 'yes' } },
      { type: 'showGroup', namespace: '' },
      { type: 'showGroup', namespace: 'default', kind: 42 },
    ]) {
      assert.equal(parseHostMessage(bad), undefined, JSON.stringify(bad).slice(0, 200));
    }
  });
});

describe('inspector rows', () => {
  const pairs: MappingPair[] = [
    { id: 'Pod/default/web', kind: 'Pod', status: 'synced', virtual: { namespace: 'default', name: 'web', created: '2026-11-01T00:00:00Z' }, host: { namespace: 'vcluster-vc', name: 'web-x-default-x-vc', created: '2026-11-02T00:00:00Z' } },
    { id: 'host:Service/vcluster-vc/vc', kind: 'Service', status: 'controlPlane', host: { namespace: 'vcluster-vc', name: 'vc', created: '2026-10-01T00:00:00Z' } },
  ];

  it('flattens a pair, taking the age from the virtual side first', () => {
    assert.deepEqual(toPairRow(pairs[0]!), { id: 'Pod/default/web', kind: 'Pod', status: 'synced', virtualNamespace: 'default', virtualName: 'web', hostNamespace: 'vcluster-vc', hostName: 'web-x-default-x-vc', created: '2026-11-01T00:00:00Z' });
    assert.deepEqual(toPairRow(pairs[1]!), { id: 'host:Service/vcluster-vc/vc', kind: 'Service', status: 'controlPlane', hostNamespace: 'vcluster-vc', hostName: 'vc', created: '2026-10-01T00:00:00Z' });
  });

  it('turns changed ids into upserts of pairs that exist and removals of those that do not', () => {
    assert.deepEqual(rowChanges(pairs, new Set(['Pod/default/web', 'Pod/default/gone'])), { upserts: [toPairRow(pairs[0]!)], removedIds: ['Pod/default/gone'] });
  });
});

describe('inspector page', () => {
  const html = inspectorHtml({ cspSource: 'https://webview.example', scriptUri: 'https://webview.example/main.js', styleUri: 'https://webview.example/main.css', codiconUri: 'https://webview.example/codicons/codicon.css', title: 'Mapping: <b>"vc"</b>', nonce: 'n0nce' });
  const policy = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1]?.replace(/&#39;/g, '\'') ?? '';

  it('denies everything by default and runs only the nonced bundle', () => {
    assert.match(policy, /^default-src 'none'; /);
    assert.match(policy, /script-src 'nonce-n0nce'(;|$)/);
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|\*/);
    assert.match(policy, /style-src https:\/\/webview\.example/);
    assert.match(policy, /font-src https:\/\/webview\.example/);
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((match) => match[1]);
    assert.deepEqual(scripts, [' nonce="n0nce" src="https://webview.example/main.js"']);
  });

  it('escapes the title', () => {
    assert.doesNotMatch(html, /<b>/);
    assert.match(html, /<title>Mapping: &#60;b&#62;&#34;vc&#34;&#60;\/b&#62;<\/title>/);
  });

  it('makes a new nonce every time', () => {
    const input = { cspSource: 'x', scriptUri: 'x', styleUri: 'x', codiconUri: 'x', title: 't' };
    const nonce = (page: string) => /nonce="([^"]+)"/.exec(page)?.[1];
    assert.notEqual(nonce(inspectorHtml(input)), nonce(inspectorHtml(input)));
    assert.ok((nonce(inspectorHtml(input)) ?? '').length >= 22);
  });
});
