import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PairRow } from '../../src/shared/protocol';
import { seededRandom } from '../env/seededRandom';
import { NO_FILTER, PairTable } from '../../webview/pairTable';
import { parseSavedState } from '../../webview/savedState';

function row(id: string, fields: Partial<PairRow> = {}): PairRow {
  const [kind = 'Pod', namespace = 'default', name = id] = id.split('/');
  return { id, kind, status: 'synced', virtualNamespace: namespace, virtualName: name, hostNamespace: 'vcluster-vc', hostName: `${name}-x-${namespace}-x-vc`, ...fields };
}

const ids = (table: PairTable) => table.view().rows.map((entry) => entry.id);

describe('inspector table model: filter', () => {
  const rows = [
    row('Pod/default/web-1', { created: '2026-11-20T10:00:00Z' }),
    row('Pod/default/web-2', { created: '2026-11-21T10:00:00Z' }),
    row('Pod/shop/cart-0', { status: 'pending', hostName: 'cart-0-x-shop-x-vc', created: '2026-11-22T10:00:00Z' }),
    row('ConfigMap/shop/settings', { status: 'virtualOnly', hostName: undefined, hostNamespace: undefined }),
    row('StorageClass//fast', { kind: 'StorageClass', virtualNamespace: undefined, virtualName: 'fast', hostNamespace: undefined, hostName: 'vcluster-fast-x-vcluster-vc-x-vc' }),
    { id: 'host:Service/vcluster-vc/vc', kind: 'Service', status: 'controlPlane', hostNamespace: 'vcluster-vc', hostName: 'vc' },
    row('Secret/default/old', { status: 'orphaned' }),
  ] satisfies PairRow[];
  const table = new PairTable();
  table.replaceAll(rows);

  it('shows everything without a filter, sorted by the virtual side', () => {
    assert.equal(table.view().rows.length, rows.length);
    assert.equal(table.view().total, rows.length);
    assert.deepEqual(ids(table), ['Pod/shop/cart-0', 'Pod/default/web-1', 'Pod/default/web-2', 'Secret/default/old', 'StorageClass//fast', 'ConfigMap/shop/settings', 'host:Service/vcluster-vc/vc']
      .sort((a, b) => {
        const key = (id: string) => { const r = rows.find((candidate) => candidate.id === id)!; return (r.virtualName ? `${r.virtualNamespace ? `${r.virtualNamespace}/` : ''}${r.virtualName}` : `${r.hostNamespace}/${r.hostName}`).toLowerCase(); };
        return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
      }));
  });

  it('matches the search against either side\'s names, all words, any case', () => {
    table.setFilter({ ...NO_FILTER, text: 'WEB-1' });
    assert.deepEqual(ids(table), ['Pod/default/web-1']);
    table.setFilter({ ...NO_FILTER, text: 'x-shop-x' });
    assert.deepEqual(ids(table), ['Pod/shop/cart-0'], 'the host name matches');
    table.setFilter({ ...NO_FILTER, text: 'default web' });
    assert.deepEqual(ids(table), ['Pod/default/web-1', 'Pod/default/web-2']);
    table.setFilter({ ...NO_FILTER, text: 'default nothing-like-this' });
    assert.deepEqual(ids(table), []);
    table.setFilter({ ...NO_FILTER, text: '   ' });
    assert.equal(ids(table).length, rows.length, 'blank search filters nothing');
  });

  it('filters by kind, by namespace group and by statuses, and counts per status ignoring the status filter', () => {
    table.setFilter({ ...NO_FILTER, kind: 'Pod' });
    assert.deepEqual(ids(table), ['Pod/default/web-1', 'Pod/default/web-2', 'Pod/shop/cart-0']);
    table.setFilter({ ...NO_FILTER, namespace: 'shop' });
    assert.deepEqual(ids(table).sort(), ['ConfigMap/shop/settings', 'Pod/shop/cart-0']);
    table.setFilter({ ...NO_FILTER, namespace: '(cluster)' });
    assert.deepEqual(ids(table), ['StorageClass//fast']);
    table.setFilter({ ...NO_FILTER, namespace: '(vCluster control plane)' });
    assert.deepEqual(ids(table), ['host:Service/vcluster-vc/vc']);
    table.setFilter({ ...NO_FILTER, statuses: ['pending', 'orphaned'] });
    assert.deepEqual(ids(table).sort(), ['Pod/shop/cart-0', 'Secret/default/old']);
    assert.deepEqual(table.view().counts, { synced: 3, pending: 1, error: 0, orphaned: 1, virtualOnly: 1, controlPlane: 1 });
    table.setFilter({ ...NO_FILTER, kind: 'Pod', statuses: ['synced'] });
    assert.deepEqual(table.view().counts, { synced: 2, pending: 1, error: 0, orphaned: 0, virtualOnly: 0, controlPlane: 0 });
    table.setFilter(NO_FILTER);
  });

  it('lists the kinds and groups present, real namespaces before the synthetic groups', () => {
    assert.deepEqual(table.kinds(), ['ConfigMap', 'Pod', 'Secret', 'Service', 'StorageClass']);
    assert.deepEqual(table.groups(), ['default', 'shop', '(cluster)', '(vCluster control plane)']);
  });

  it('sorts by each column both ways, ties broken by id so the order is total', () => {
    table.setSort({ column: 'age', descending: false });
    assert.deepEqual(ids(table).slice(0, 3), ['Pod/shop/cart-0', 'Pod/default/web-2', 'Pod/default/web-1'], 'newest first');
    table.setSort({ column: 'status', descending: false });
    assert.equal(ids(table)[0], 'Secret/default/old', 'orphaned first: the ones to look at');
    table.setSort({ column: 'status', descending: true });
    assert.equal(ids(table)[0], 'host:Service/vcluster-vc/vc');
    table.setSort({ column: 'kind', descending: false });
    assert.deepEqual(ids(table).map((id) => table.get(id)!.kind), ['ConfigMap', 'Pod', 'Pod', 'Pod', 'Secret', 'Service', 'StorageClass']);
    table.setSort({ column: 'host', descending: true });
    const hosts = ids(table).map((id) => { const r = table.get(id)!; return `${r.hostNamespace ?? ''}/${r.hostName ?? ''}`.replace(/^\/$/, ''); });
    assert.deepEqual(hosts, [...hosts].sort().reverse());
    table.setSort({ column: 'virtual', descending: false });
  });

  it('sorts names in natural order, as the tree does: a StatefulSet\'s web-2 before web-10', () => {
    const pods = new PairTable();
    pods.replaceAll(['web-10', 'web-2', 'web-1', 'web-0', 'api-3'].map((name) => row(`Pod/default/${name}`)));
    assert.deepEqual(ids(pods), ['api-3', 'web-0', 'web-1', 'web-2', 'web-10'].map((name) => `Pod/default/${name}`));
    pods.setSort({ column: 'host', descending: true });
    assert.deepEqual(ids(pods), ['web-10', 'web-2', 'web-1', 'web-0', 'api-3'].map((name) => `Pod/default/${name}`));
  });

  it('applies live updates: an upsert replaces, a removal drops, the view follows', () => {
    const live = new PairTable();
    live.replaceAll(rows);
    live.setFilter({ ...NO_FILTER, text: 'web' });
    assert.equal(live.view().rows.length, 2);
    live.applyUpdate([row('Pod/default/web-3'), row('Pod/default/web-1', { status: 'orphaned' })], ['Pod/default/web-2']);
    assert.deepEqual(ids(live), ['Pod/default/web-1', 'Pod/default/web-3']);
    assert.equal(live.get('Pod/default/web-1')!.status, 'orphaned');
    assert.equal(live.size, rows.length);
  });

  it('agrees with a naive filter on 10,000 random rows and 200 random filters', () => {
    const random = seededRandom(7);
    const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
    const kinds = ['Pod', 'Service', 'ConfigMap', 'Secret'];
    const statuses = ['synced', 'pending', 'orphaned', 'virtualOnly'] as const;
    const many: PairRow[] = Array.from({ length: 10_000 }, (_, index) => {
      const namespace = `ns-${Math.floor(random() * 30)}`;
      const name = `app-${Math.floor(random() * 5000)}-${index}`;
      return row(`${pick(kinds)}/${namespace}/${name}`, { status: pick(statuses) });
    });
    const big = new PairTable();
    big.replaceAll(many);
    for (let round = 0; round < 200; round++) {
      const filter = {
        text: random() < 0.7 ? `${Math.floor(random() * 60)}` : '',
        kind: random() < 0.3 ? pick(kinds) : '',
        namespace: random() < 0.3 ? `ns-${Math.floor(random() * 30)}` : '',
        statuses: random() < 0.3 ? [pick(statuses)] : [],
      };
      big.setFilter(filter);
      const expected = many.filter((candidate) => (!filter.kind || candidate.kind === filter.kind)
        && (!filter.namespace || candidate.virtualNamespace === filter.namespace)
        && (filter.statuses.length === 0 || filter.statuses.includes(candidate.status as typeof statuses[number]))
        && (!filter.text || `${candidate.virtualNamespace}/${candidate.virtualName} ${candidate.hostNamespace}/${candidate.hostName}`.includes(filter.text)));
      assert.deepEqual(new Set(ids(big)), new Set(expected.map((candidate) => candidate.id)), JSON.stringify(filter));
    }
  });
});

describe('inspector saved state', () => {
  it('reads back what it wrote', () => {
    const state = { filter: { text: 'web', kind: 'Pod', namespace: 'default', statuses: ['synced'] }, sort: { column: 'age', descending: true }, selectedId: 'Pod/default/web-1', scrollTop: 480, vcluster: { name: 'vc', namespace: 'vcluster-vc', hostContext: 'kind-dev' } };
    assert.deepEqual(parseSavedState(JSON.parse(JSON.stringify(state))), state);
  });

  it('falls back field by field on anything stale or malformed', () => {
    assert.deepEqual(parseSavedState(undefined), parseSavedState({}));
    const parsed = parseSavedState({ filter: { text: 42, statuses: ['synced', 'bogus'] }, sort: { column: 'toString', descending: 'yes' }, scrollTop: -5, selectedId: '', vcluster: { name: 'x' } });
    assert.deepEqual(parsed, { filter: { text: '', kind: '', namespace: '', statuses: ['synced'] }, sort: { column: 'virtual', descending: false }, scrollTop: 0 });
  });
});
