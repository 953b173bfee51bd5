import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeClient } from '../../src/kube/client';
import { MemoryLogger } from '../../src/process/log';
import { MappingSources } from '../../src/vcluster/mapping/mappingSources';
import type { CoreBundle } from '../../src/coreBundle';
import type { VClusterSummary } from '../../src/vcluster/discovery/discoverVClusters';
import { MappingSource } from '../../src/vcluster/mapping/mappingSource';
import { anUnreachableKubeConfig } from './builders/kube';

/**
 * The sharing rules between the tree and the inspector: one source per vCluster however many ask
 * at once, watches running while the tree is visible or an inspector holds the vCluster. Real
 * MappingSources against an unreachable API server (their watches retry with backoff; only
 * whether they run matters here).
 */
describe('MappingSources shared by the tree and the inspector', () => {
  const vcluster = { name: 'demo', namespace: 'vcluster-demo', hostContext: 'gone' } as VClusterSummary;
  function sources(options: { connected?: () => boolean } = {}) {
    let created = 0;
    const client = new KubeClient(anUnreachableKubeConfig());
    const treeChanges: Array<ReadonlySet<string> | undefined> = [];
    const shared = new MappingSources({
      loadCoreBundle: async () => {
        created++;
        return { MappingSource } as unknown as CoreBundle;
      },
      hostClient: async () => client,
      virtualClient: async () => (options.connected?.() ? client : undefined),
      logger: new MemoryLogger(),
      onDidChange: (_vcluster, ids) => treeChanges.push(ids),
    });
    return { shared, created: () => created, treeChanges };
  }

  it('creates one source for concurrent requests', async () => {
    const { shared, created } = sources();
    try {
      const [first, second] = await Promise.all([shared.sourceFor(vcluster), shared.sourceFor(vcluster)]);
      assert.equal(first, second);
      assert.equal(created(), 1);
      assert.equal(await shared.sourceFor(vcluster), first, 'later requests reuse it');
    } finally {
      shared.dispose();
    }
  });

  it('keeps a held vCluster\'s watches running while the tree is hidden, and stops them when released', async () => {
    const { shared } = sources();
    try {
      const source = await shared.sourceFor(vcluster);
      assert.equal(source.running, true, 'the tree is visible');
      shared.setVisible(false);
      assert.equal(source.running, false, 'hidden tree, nobody holding: stopped');
      const hold = shared.hold(vcluster);
      assert.equal(source.running, true, 'an inspector in view holds it');
      const secondHold = shared.hold(vcluster);
      hold.dispose();
      hold.dispose();
      assert.equal(source.running, true, 'one holder left (and a double release counts once)');
      secondHold.dispose();
      assert.equal(source.running, false);
      shared.setVisible(true);
      assert.equal(source.running, true);
    } finally {
      shared.dispose();
    }
  });

  it('tells listeners when a source is replaced or dropped, and the tree only about replacement', async () => {
    let connected = false;
    const { shared, treeChanges } = sources({ connected: () => connected });
    const heard: Array<ReadonlySet<string> | undefined> = [];
    const listener = shared.onDidChange((_vcluster, ids) => heard.push(ids));
    try {
      const first = await shared.sourceFor(vcluster);
      heard.length = 0;
      treeChanges.length = 0;
      connected = true;
      const second = await shared.sourceFor(vcluster);
      assert.notEqual(second, first, 'a new connection state makes a new source');
      assert.equal(first.running, false, 'the old one is disposed');
      assert.ok(heard.length >= 1 && heard.every((ids) => ids === undefined), 'listeners hear a full change');
      assert.ok(treeChanges.includes(undefined));
      heard.length = 0;
      treeChanges.length = 0;
      shared.retainOnly(new Set());
      assert.equal(second.running, false);
      assert.deepEqual(heard, [undefined], 'the inspector learns its source is gone');
      assert.deepEqual(treeChanges, [], 'the tree, which dropped it, is not told');
      assert.equal(shared.existing(vcluster), undefined);
    } finally {
      listener.dispose();
      shared.dispose();
    }
  });
});
