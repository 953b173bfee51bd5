import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MappingPair } from '../../src/vcluster/mapping/mapping';
import { diffPairs } from '../../src/vcluster/mapping/mappingSource';
import { eventsByPair, leanEvent, syncErrorReason, withEvents } from '../../src/vcluster/mapping/pairEvents';

// The SyncError below is the one the real syncer (v0.36.1) wrote here for a pod a host
// ResourceQuota refused (test/integration/whyNotSynced.test.ts makes it for real).
const syncError = {
  metadata: { name: 'over.18a2', namespace: 'default', uid: 'e1', creationTimestamp: '2026-12-07T14:55:29Z' },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'over', uid: 'v-over' },
  type: 'Warning', reason: 'SyncError', action: 'SyncPod', reportingComponent: 'pod-syncer',
  message: 'Error syncing to host cluster: create object: pods "over" is forbidden: exceeded quota: capped, requested: pods=1, used: pods=4, limited: pods=4',
  eventTime: '2026-12-07T14:55:29.286714Z', series: { count: 2, lastObservedTime: '2026-12-07T14:55:29.402579Z' }, count: null, firstTimestamp: null, lastTimestamp: null,
};
const coreEvent = (name: string, involved: Record<string, string>, type: string, reason: string, lastTimestamp: string, count = 1) => ({
  metadata: { name, namespace: involved.namespace, uid: name }, involvedObject: involved, type, reason, message: `${reason} happened`, count, lastTimestamp, source: { component: 'kubelet' },
});

const pairs: MappingPair[] = [
  { id: 'Pod/default/over', kind: 'Pod', status: 'pending', virtual: { namespace: 'default', name: 'over', uid: 'v-over' }, host: { namespace: 'vcluster-demo', name: 'over-x-default-x-demo' } },
  { id: 'Pod/default/web', kind: 'Pod', status: 'synced', virtual: { namespace: 'default', name: 'web', uid: 'v-web' }, host: { namespace: 'vcluster-demo', name: 'web-x-default-x-demo', uid: 'h-web' } },
  { id: 'ConfigMap/default/gone', kind: 'ConfigMap', status: 'orphaned', virtual: { namespace: 'default', name: 'gone' }, host: { namespace: 'vcluster-demo', name: 'gone-x-default-x-demo', uid: 'h-gone' } },
];

describe('events on pairs (pairEvents)', () => {
  it('reads both event shapes: the syncer\'s events.k8s.io series and a kubelet\'s core/v1 count', () => {
    const lean = leanEvent(syncError, 'virtual');
    assert.deepEqual(lean, {
      side: 'virtual', type: 'Warning', reason: 'SyncError', message: syncError.message, count: 2, lastSeen: '2026-12-07T14:55:29.402579Z', source: 'pod-syncer',
      involved: { kind: 'Pod', namespace: 'default', name: 'over', uid: 'v-over' },
    });
    const kubelet = leanEvent(coreEvent('b', { kind: 'Pod', namespace: 'vcluster-demo', name: 'web-x-default-x-demo' }, 'Warning', 'BackOff', '2026-12-07T15:00:00Z', 7), 'host');
    assert.equal(kubelet.count, 7);
    assert.equal(kubelet.lastSeen, '2026-12-07T15:00:00Z');
    assert.equal(kubelet.source, 'kubelet');
    assert.equal(leanEvent({ metadata: {}, message: 'x'.repeat(10_000) }, 'host').message.length < 4_100, true, 'a huge message is cut');
  });

  it('gives each side\'s events to its pair, newest first; a pending pair with a SyncError is an error with the host\'s reason', () => {
    const virtual = [leanEvent(syncError, 'virtual'), leanEvent(coreEvent('s', { kind: 'Pod', namespace: 'default', name: 'web', uid: 'v-web' }, 'Normal', 'Scheduled', '2026-12-07T14:00:00Z'), 'virtual')];
    const host = [
      leanEvent(coreEvent('h1', { kind: 'Pod', namespace: 'vcluster-demo', name: 'web-x-default-x-demo', uid: 'h-web' }, 'Warning', 'BackOff', '2026-12-07T15:00:00Z'), 'host'),
      // The host name a pending pair should get is not its object: an event there is someone else's.
      leanEvent(coreEvent('h2', { kind: 'Pod', namespace: 'vcluster-demo', name: 'over-x-default-x-demo' }, 'Warning', 'Other', '2026-12-07T15:00:00Z'), 'host'),
      // An earlier pod of the same name (another uid) does not pass its warnings on.
      leanEvent(coreEvent('h3', { kind: 'Pod', namespace: 'vcluster-demo', name: 'web-x-default-x-demo', uid: 'h-old' }, 'Warning', 'Old', '2026-12-07T13:00:00Z'), 'host'),
    ];
    const summaries = eventsByPair(pairs, virtual, host);
    assert.deepEqual(summaries.get('Pod/default/web')?.events.map((event) => `${event.side}:${event.reason}`), ['host:BackOff', 'virtual:Scheduled']);
    assert.equal(summaries.get('Pod/default/web')?.warnings, 1);
    assert.deepEqual(summaries.get('Pod/default/over')?.events.map((event) => event.reason), ['SyncError']);
    assert.equal(summaries.has('ConfigMap/default/gone'), false);

    const annotated = withEvents(pairs, summaries);
    const over = annotated.find((pair) => pair.id === 'Pod/default/over')!;
    assert.equal(over.status, 'error');
    assert.equal(over.problem, 'pods "over" is forbidden: exceeded quota: capped, requested: pods=1, used: pods=4, limited: pods=4');
    const web = annotated.find((pair) => pair.id === 'Pod/default/web')!;
    assert.equal(web.status, 'synced', 'a warning alone does not change the status');
    assert.deepEqual(web.events, { total: 2, warnings: 1, newest: '2026-12-07T15:00:00Z', newestWarning: 'BackOff: BackOff happened' });
    assert.equal(annotated.find((pair) => pair.id === 'ConfigMap/default/gone'), pairs[2], 'a pair without events is passed on as it was');
  });

  it('a new event or one more of the same changes the pair, so the badge and a shown detail follow', () => {
    const first = withEvents(pairs, eventsByPair(pairs, [leanEvent(syncError, 'virtual')], []));
    const again = withEvents(pairs, eventsByPair(pairs, [leanEvent({ ...syncError, series: { count: 3, lastObservedTime: '2026-12-07T14:55:35Z' } }, 'virtual')], []));
    assert.deepEqual([...diffPairs(pairs, first)], ['Pod/default/over']);
    assert.deepEqual([...diffPairs(first, again)], ['Pod/default/over']);
    assert.equal(diffPairs(first, withEvents(pairs, eventsByPair(pairs, [leanEvent(syncError, 'virtual')], []))).size, 0);
  });

  it('keeps the host\'s words of a sync error', () => {
    assert.equal(syncErrorReason('Error syncing: update object: services "x" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated'), 'services "x" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    assert.equal(syncErrorReason('something else'), 'something else');
  });
});
