import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syncSettings, type MappingPair } from '../../src/vcluster/mapping/mapping';
import { syncerState } from '../../src/vcluster/explain/gatherWhy';
import { explainWhyNotSynced, linesNaming, type WhyInput } from '../../src/vcluster/explain/whyNotSynced';
import { whyNotSyncedText } from '../../src/vcluster/explain/whyText';

const NOW = new Date('2026-12-07T15:00:00Z');
const pending: MappingPair = { id: 'Pod/default/over', kind: 'Pod', status: 'pending', virtual: { namespace: 'default', name: 'over', created: '2026-12-07T14:00:00Z' }, host: { namespace: 'vcluster-demo', name: 'over-x-default-x-demo' } };
const input = (overrides: Partial<WhyInput> = {}): WhyInput => ({
  pair: pending, vclusterName: 'demo', vclusterStatus: 'Running', sync: syncSettings(undefined), events: [], eventNotes: [],
  syncer: { state: 'running', pod: 'demo-0' }, syncerLog: { lines: [], searched: 5000 }, virtualReachable: true, now: NOW, ...overrides,
});

describe('why is it not synced (the verdict)', () => {
  it('gives the first cause that holds, in the order a user should act on', () => {
    const cause = (overrides: Partial<WhyInput>) => explainWhyNotSynced(input(overrides)).verdict.cause;
    assert.equal(cause({ sync: syncSettings({ sync: { toHost: { pods: { enabled: false } } } }) }), 'kindNotSynced');
    assert.match(explainWhyNotSynced(input({ sync: syncSettings({ sync: { toHost: { pods: { enabled: false } } } }) })).verdict.text, /sync\.toHost\.pods\.enabled is false/);
    assert.equal(cause({ pair: { ...pending, status: 'error', problem: 'pods "over" is forbidden: exceeded quota: q' } }), 'hostRejected');
    assert.equal(cause({ syncer: { state: 'notRunning', reason: 'pod demo-0: CrashLoopBackOff' } }), 'syncerNotRunning');
    assert.equal(cause({ virtualReachable: false }), 'virtualUnreachable');
    assert.equal(cause({ syncerLog: { lines: ['2026-12-07 14:55:35\tINFO\tpod.over\tpods/syncer.go:1\twaiting for service account default/app'], searched: 10 } }), 'waitingForDependency');
    assert.equal(cause({ pair: { ...pending, virtual: { ...pending.virtual!, created: '2026-12-07T14:59:57Z' } } }), 'justCreated');
    assert.equal(cause({}), 'unknown');
    assert.equal(cause({ pair: { ...pending, status: 'synced' } }), 'synced');
    assert.equal(cause({ pair: { id: 'Deployment/default/web', kind: 'Deployment', status: 'virtualOnly', virtual: { namespace: 'default', name: 'web' } } }), 'kindNotSynced');
    assert.equal(cause({ pair: { id: 'ConfigMap/default/c', kind: 'ConfigMap', status: 'virtualOnly', virtual: { namespace: 'default', name: 'c' } } }), 'notUsedByPod');
  });

  it('finds the syncer\'s lines about the object by whole names only', () => {
    const lines = [
      'INFO\tpod.over\tpods/syncer.go:262\terror syncing Pod default/over to host cluster: exceeded quota',
      'ERROR\tcontroller/controller.go:494\tReconciler error\t{"controller": "pod", "namespace": "default", "name": "over", "error": "x"}',
      'INFO\tpod.overflow\tpods/syncer.go:262\terror syncing Pod default/overflow to host cluster',
      'INFO\tpatcher/apply.go:313\tCreate host object\t{"object": "vcluster-demo/over-x-default-x-demo"}',
      'INFO\tsomething about another/over',
    ];
    assert.deepEqual(linesNaming(lines, { namespace: 'default', name: 'over' }, 'over-x-default-x-demo'), [lines[0], lines[1], lines[3]]);
  });

  it('tells a running syncer from one that is not, as kubectl would say it', () => {
    const pod = (phase: string, ready: boolean, waiting?: string) => ({ metadata: { name: 'demo-0' }, status: { phase, containerStatuses: [{ name: 'syncer', ready, ...(waiting ? { state: { waiting: { reason: waiting } } } : {}) }] } });
    assert.deepEqual(syncerState([pod('Running', true)], 'Running'), { state: 'running', pod: 'demo-0' });
    assert.deepEqual(syncerState([pod('Running', false, 'CrashLoopBackOff')], 'Running'), { state: 'notRunning', reason: 'pod demo-0: CrashLoopBackOff' });
    assert.deepEqual(syncerState([], 'Paused'), { state: 'notRunning', reason: 'the vCluster has no pod (status Paused)' });
  });

  it('writes cluster text into the report as text: a hostile event message or log line makes no link or markup', () => {
    const hostile = '[click](command:workbench.action.terminal.new) <img src=x onerror=alert(1)> ```\n# heading';
    const report = explainWhyNotSynced(input({
      pair: { ...pending, status: 'error', problem: hostile },
      events: [{ side: 'virtual', type: 'Warning', reason: 'SyncError`x', message: hostile, count: 3, involved: { kind: 'Pod', name: 'over' } }],
      syncerLog: { lines: [hostile], searched: 1 },
    }));
    const text = whyNotSyncedText(report);
    // Outside code blocks (where Markdown is live), no link, tag or heading survives unescaped.
    const outsideCode = text.replace(/^\s*(`{3,})text\n[\s\S]*?^\s*\1$/gm, '');
    assert.doesNotMatch(outsideCode, /(^|[^\\])\[click\]\(command:/m, 'link syntax is escaped');
    assert.doesNotMatch(outsideCode, /(^|[^\\])<img/m, 'a tag is escaped');
    assert.match(text, /> The host refused it: \\\[click\\\]\\\(command:/);
    assert.doesNotMatch(outsideCode, /^# heading/m, 'a message cannot start a heading');
    // Fences are longer than any backtick run inside them, so a message cannot close its block.
    assert.match(text, /````text\n\[click\]/);
  });
});
