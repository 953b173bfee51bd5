import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawObject } from '../../src/kube/watch';
import { FAILURES_BEFORE_DOWN, WatchedCollection } from '../../src/kube/watchedCollection';

const object = (namespace: string, name: string, value = ''): RawObject => ({ metadata: { namespace, name, labels: { value } } });
const keyOf = (raw: RawObject) => `${raw.metadata?.namespace}/${raw.metadata?.name}`;

describe('WatchedCollection: one list-then-watch, kept', () => {
  it('replaces everything on a relist, follows events, and ignores a stopped run', () => {
    const collection = new WatchedCollection<RawObject>((raw) => raw, keyOf);
    let current = true;
    let changes = 0;
    const handlers = collection.handlers(() => current, () => changes++, () => assert.fail('no failure expected'));
    handlers.onRelist([object('a', 'one'), object('a', 'two')], '1');
    handlers.onEvent('MODIFIED', object('a', 'one', 'changed'));
    handlers.onEvent('DELETED', object('a', 'two'));
    handlers.onEvent('ADDED', object('b', 'three'));
    assert.deepEqual([...collection.objects.keys()], ['a/one', 'b/three']);
    assert.deepEqual(collection.objects.get('a/one'), object('a', 'one', 'changed'));
    assert.equal(changes, 4);
    current = false;
    handlers.onEvent('ADDED', object('c', 'late'));
    handlers.onRelist([], '2');
    assert.equal(collection.objects.size, 2, 'a stopped run changes nothing');
    assert.equal(changes, 4);
  });

  it('is down when failing before its first list, or failing again and again after it; a live stream heals it', () => {
    const collection = new WatchedCollection<RawObject>((raw) => raw, keyOf);
    let changes = 0;
    const handlers = collection.handlers(() => true, () => changes++, (error) => collection.countFailure(error));
    assert.equal(collection.isDown, false, 'loading is not down');
    handlers.onError?.(new Error('refused'), 250);
    assert.equal(collection.isDown, true, 'never listed and failing');
    handlers.onRelist([object('a', 'one')], '1');
    assert.equal(collection.isDown, false);
    for (let failure = 1; failure < FAILURES_BEFORE_DOWN; failure++) handlers.onError?.(new Error('reset'), 250);
    assert.equal(collection.isDown, false, `${FAILURES_BEFORE_DOWN - 1} failures after a list: still up`);
    handlers.onError?.(new Error('reset'), 250);
    assert.equal(collection.isDown, true);
    assert.equal((collection.lastError as Error).message, 'reset');
    const before = changes;
    handlers.onWatching?.();
    assert.equal(collection.isDown, false);
    assert.equal(collection.lastError, undefined);
    assert.equal(changes, before + 1, 'healing is a change');
    handlers.onWatching?.();
    assert.equal(changes, before + 1, 'a stream opening on a healthy watch is not');
  });

  it('counts a resource that is not served as listed and empty', () => {
    const collection = new WatchedCollection<RawObject>((raw) => raw, keyOf);
    collection.handlers(() => true, () => undefined, () => undefined).onRelist([object('a', 'one')], '1');
    collection.countFailure(new Error('404'));
    collection.markUnavailable();
    assert.deepEqual({ listed: collection.listed, size: collection.objects.size, failures: collection.failures, down: collection.isDown }, { listed: true, size: 0, failures: 0, down: false });
  });
});
