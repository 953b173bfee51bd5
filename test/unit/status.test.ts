import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../../src/vcluster/discovery/discoverVClusters';
import { formatAge } from '../../src/shared/format';
import { displayStatus, podStatusReason, statusTone, vclusterStatus, vclusterVersion } from '../../src/vcluster/discovery/status';
import { configSecretMarks, formatSeconds, isWorkloadSleeping, sleepMarks, sleepStateRows } from '../../src/vcluster/discovery/sleepState';
import { aConfigSecret, aContainerStatus, aDeployment, aPod, aStatefulSet } from './builders/kube';

describe('podStatusReason (kubectl STATUS column, as the vcluster CLI copies it)', () => {
  const cases: Array<[string, Parameters<typeof aPod>[0], string]> = [
    ['a ready running pod', {}, 'Running'],
    ['a pending pod', { phase: 'Pending', containers: [] }, 'Pending'],
    ['status.reason wins over phase', { phase: 'Failed', reason: 'Evicted', containers: [] }, 'Evicted'],
    ['a waiting container', { containers: [aContainerStatus({ waiting: { reason: 'CrashLoopBackOff' } })] }, 'CrashLoopBackOff'],
    ['a terminated container with a reason', { containers: [aContainerStatus({ terminated: { exitCode: 1, reason: 'Error' } })] }, 'Error'],
    ['a terminated container killed by a signal', { containers: [aContainerStatus({ terminated: { exitCode: 137, signal: 9 } })] }, 'Signal:9'],
    ['a terminated container with only an exit code', { containers: [aContainerStatus({ terminated: { exitCode: 2 } })] }, 'ExitCode:2'],
    ['Completed with another container still running', {
      containers: [aContainerStatus({ running: {} }, true), aContainerStatus({ terminated: { exitCode: 0, reason: 'Completed' } })],
    }, 'Running'],
    ['an init container still running', {
      phase: 'Pending', initContainerCount: 2, containers: [],
      initContainers: [aContainerStatus({ terminated: { exitCode: 0 } }), aContainerStatus({ running: {} })],
    }, 'Init:1/2'],
    ['a failing init container', {
      phase: 'Pending', initContainerCount: 1, containers: [],
      initContainers: [aContainerStatus({ waiting: { reason: 'ImagePullBackOff' } })],
    }, 'Init:ImagePullBackOff'],
    ['an init container that exited non-zero', {
      phase: 'Pending', initContainerCount: 1, containers: [],
      initContainers: [aContainerStatus({ terminated: { exitCode: 3 } })],
    }, 'Init:ExitCode:3'],
    ['a pod being deleted', { deleting: true }, 'Terminating'],
    ['a pod being deleted on a lost node', { deleting: true, reason: 'NodeLost' }, 'Unknown'],
  ];
  for (const [title, pod, expected] of cases) {
    it(title, () => assert.equal(podStatusReason(aPod(pod)), expected));
  }
});

describe('vclusterStatus and version', () => {
  it('is Paused when the workload carries loft.sh/paused, whatever its pods say', () => {
    assert.equal(vclusterStatus(aStatefulSet({ annotations: { 'loft.sh/paused': 'true' } }), [aPod()]), 'Paused');
  });

  it('is ScaledDown with no pods at 0 replicas, nothing (as the CLI) with no pods yet, and the last pod\'s reason otherwise', () => {
    assert.equal(vclusterStatus(aStatefulSet({ replicas: 0 }), []), 'ScaledDown');
    assert.equal(vclusterStatus(aStatefulSet({ replicas: 1 }), []), '');
    assert.equal(displayStatus(''), 'Starting');
    assert.equal(statusTone(''), 'progressing');
    assert.equal(vclusterStatus(aStatefulSet({ labels: { 'loft.sh/sleep-mode': 'true' } }), [aPod()]), 'Paused');
    assert.equal(vclusterStatus(aStatefulSet(), [aPod(), aPod({ phase: 'Pending', containers: [] })]), 'Pending');
  });

  it('is "Sleeping (workloads only)" when the config Secret has sleepmode.loft.sh/sleep-type, whatever its value, and its pods say otherwise', () => {
    const running = [aPod()];
    for (const value of ['forcedSleep', 'inactivitySleep', 'made-up', '']) {
      assert.equal(vclusterStatus(aStatefulSet(), running, { 'sleepmode.loft.sh/sleep-type': value }), 'Sleeping (workloads only)', JSON.stringify(value));
    }
    assert.equal(vclusterStatus(aStatefulSet({ replicas: 0 }), [], { 'sleepmode.loft.sh/sleep-type': 'scheduledSleep' }), 'Sleeping (workloads only)', 'over ScaledDown too');
    assert.equal(vclusterStatus(aDeployment(), running, { 'sleepmode.loft.sh/sleep-type': 'forcedSleep' }), 'Sleeping (workloads only)', 'a Deployment\'s too');
    // Its own tone: the control plane runs (connect works), the workloads sleep (resume is the platform's).
    assert.equal(statusTone('Sleeping (workloads only)'), 'sleeping');
    assert.equal(statusTone('Paused'), 'paused');
  });

  it('other sleep marks, or none, leave the status to the pods; a missing Secret too', () => {
    assert.equal(vclusterStatus(aStatefulSet(), [aPod()], { 'sleepmode.loft.sh/sleeping-since': '1767225600' }), 'Running');
    assert.equal(vclusterStatus(aStatefulSet(), [aPod()], {}), 'Running');
    assert.equal(vclusterStatus(aStatefulSet(), [aPod()], undefined), 'Running');
    assert.equal(isWorkloadSleeping(undefined), false);
  });

  it('Paused wins over Sleeping, in the CLI\'s order: the annotation and the sleep-mode label alike', () => {
    const sleeping = { 'sleepmode.loft.sh/sleep-type': 'forcedSleep' };
    assert.equal(vclusterStatus(aStatefulSet({ annotations: { 'loft.sh/paused': 'true' }, replicas: 0 }), [], sleeping), 'Paused');
    assert.equal(vclusterStatus(aStatefulSet({ labels: { 'loft.sh/sleep-mode': 'true' } }), [aPod()], sleeping), 'Paused');
    // Only "true" pauses, as in the CLI.
    assert.equal(vclusterStatus(aStatefulSet({ annotations: { 'loft.sh/paused': 'false' } }), [aPod()], sleeping), 'Sleeping (workloads only)');
  });

  it('reads the version from the syncer image tag, then the chart label', () => {
    assert.equal(vclusterVersion(aStatefulSet({ image: 'ghcr.io/loft-sh/vcluster-oss:0.21.1' })), '0.21.1');
    // An image with a registry port splits into three parts: the CLI reads no tag from it.
    assert.equal(vclusterVersion(aStatefulSet({ image: 'registry:5000/vcluster:0.20.0' })), undefined);
    assert.equal(vclusterVersion(aStatefulSet({ image: 'localhost:5000/vcluster:0.20.0', labels: { chart: 'vcluster-0.20.0' } })), '0.20.0');
    assert.equal(vclusterVersion(aStatefulSet({ image: 'vcluster' })), undefined);
  });

  it('groups statuses into tones for icons', () => {
    assert.equal(statusTone('Running'), 'running');
    assert.equal(statusTone('Paused'), 'paused');
    assert.equal(statusTone('ScaledDown'), 'paused');
    assert.equal(statusTone('Init:0/1'), 'progressing');
    assert.equal(statusTone('CrashLoopBackOff'), 'failed');
  });
});

describe('summarize', () => {
  it('pairs each workload with the pods of its release in its namespace only', () => {
    const summaries = summarize('kind-host', [
      { workload: aStatefulSet({ release: 'b', namespace: 'team-b' }), kind: 'StatefulSet' },
      { workload: aStatefulSet({ release: 'a', namespace: 'team-a' }), kind: 'StatefulSet' },
      { workload: aDeployment({ release: 'old', namespace: 'legacy', replicas: 0 }), kind: 'Deployment' },
    ], [
      aPod({ release: 'a', namespace: 'team-a' }),
      // Same release name in another namespace must not leak into team-a's status.
      aPod({ release: 'a', namespace: 'elsewhere', containers: [aContainerStatus({ waiting: { reason: 'CrashLoopBackOff' } })] }),
      aPod({ release: 'b', namespace: 'team-b', phase: 'Pending', containers: [] }),
    ]);
    assert.deepEqual(summaries.map((vc) => [vc.namespace, vc.name, vc.status, vc.workloadKind, vc.hostContext]), [
      ['legacy', 'old', 'ScaledDown', 'Deployment', 'kind-host'],
      ['team-a', 'a', 'Running', 'StatefulSet', 'kind-host'],
      ['team-b', 'b', 'Pending', 'StatefulSet', 'kind-host'],
    ]);
    assert.equal(summaries[0]?.version, '0.19.7');
  });

  it('pairs each workload with the config Secret of its name in its namespace only', () => {
    const sleeping = (release: string, namespace: string) => configSecretMarks(aConfigSecret({ release, namespace, annotations: { 'sleepmode.loft.sh/sleep-type': 'forcedSleep' } }))!;
    const summaries = summarize('ctx', [
      { workload: aStatefulSet({ release: 'a', namespace: 'team-a' }), kind: 'StatefulSet' },
      { workload: aStatefulSet({ release: 'b', namespace: 'team-b' }), kind: 'StatefulSet' },
      { workload: aStatefulSet({ release: 'c', namespace: 'team-c' }), kind: 'StatefulSet' },
    ], [
      aPod({ release: 'a', namespace: 'team-a' }), aPod({ release: 'b', namespace: 'team-b' }), aPod({ release: 'c', namespace: 'team-c' }),
    ], [
      sleeping('a', 'team-a'),
      // Same name in another namespace, and another vCluster's Secret in b's namespace: neither is b's.
      sleeping('b', 'elsewhere'),
      sleeping('other', 'team-b'),
      configSecretMarks(aConfigSecret({ release: 'c', namespace: 'team-c' }))!,
    ]);
    assert.deepEqual(summaries.map((vc) => [vc.name, vc.status, vc.sleep]), [
      ['a', 'Sleeping (workloads only)', { 'sleepmode.loft.sh/sleep-type': 'forcedSleep' }],
      ['b', 'Running', undefined],
      ['c', 'Running', undefined],
    ]);
  });

  it('skips workloads without a release label', () => {
    const workload = aStatefulSet();
    delete workload.metadata!.labels!.release;
    assert.deepEqual(summarize('ctx', [{ workload, kind: 'StatefulSet' }], []), []);
  });
});

describe('formatAge', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  it('prints kubectl-like ages', () => {
    assert.equal(formatAge(new Date(now - 30_000), now), '30s');
    assert.equal(formatAge(new Date(now - 15 * 60_000), now), '15m');
    assert.equal(formatAge(new Date(now - 5 * 3600_000), now), '5h');
    assert.equal(formatAge(new Date(now - 3 * 86400_000), now), '3d');
    assert.equal(formatAge(undefined, now), '');
  });
});

describe('config Secret sleep marks (what discovery keeps of a Secret\'s metadata)', () => {
  it('keeps a vc-config Secret\'s namespace, vCluster name and sleep-mode annotations, nothing else', () => {
    const secret = aConfigSecret({ release: 'my-vc', namespace: 'team', annotations: {
      'sleepmode.loft.sh/sleep-type': 'forcedSleep',
      'sleepmode.loft.sh/sleeping-since': '1767225600',
      'sleepmode.loft.sh/force-duration': '3600',
      'sleepmode.loft.sh/last-activity': '1767225000',
      'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"config.yaml":"c2VjcmV0"}}',
    } });
    assert.deepEqual(configSecretMarks(secret), {
      namespace: 'team',
      vcluster: 'my-vc',
      sleep: { 'sleepmode.loft.sh/sleep-type': 'forcedSleep', 'sleepmode.loft.sh/sleeping-since': '1767225600', 'sleepmode.loft.sh/force-duration': '3600' },
    });
  });

  it('is nothing for another Secret, or one without a name or namespace', () => {
    assert.equal(configSecretMarks({ metadata: { name: 'vc-my-vc', namespace: 'team' } }), undefined);
    assert.equal(configSecretMarks({ metadata: { name: 'vc-config-', namespace: 'team' } }), undefined);
    assert.equal(configSecretMarks({ metadata: { name: 'vc-config-x' } }), undefined);
    assert.equal(configSecretMarks({}), undefined);
  });

  it('keeps a mark as one bounded line of text, and ignores what is not a string', () => {
    const marks = sleepMarks({ 'sleepmode.loft.sh/sleep-type': `forced\nSleep\u0000${'x'.repeat(500)}`, 'sleepmode.loft.sh/sleeping-since': 42 });
    assert.equal(marks['sleepmode.loft.sh/sleep-type']?.length, 200);
    assert.match(marks['sleepmode.loft.sh/sleep-type'] ?? '', /^forced Sleep xxx/);
    assert.equal(Object.hasOwn(marks, 'sleepmode.loft.sh/sleeping-since'), false);
    assert.deepEqual(sleepMarks(null), {});
    assert.deepEqual(sleepMarks('not annotations'), {});
  });
});

describe('sleepStateRows (the sleep state Describe and the tooltip show)', () => {
  const iso = (date: Date) => date.toISOString();
  it('says the type and what it means, since when (Unix seconds), and for how long a forced sleep lasts', () => {
    assert.deepEqual(sleepStateRows({
      'sleepmode.loft.sh/sleep-type': 'forcedDurationSleep',
      'sleepmode.loft.sh/sleeping-since': '1767225600',
      'sleepmode.loft.sh/force-duration': '5400',
    }, iso), [
      { label: 'Sleep type', value: 'forcedDurationSleep (put to sleep on request, for a set time)' },
      { label: 'Sleeping since', value: '2026-01-01T00:00:00.000Z' },
      { label: 'Forced for', value: '1h30m' },
    ]);
  });
  it('shows what it cannot read as written, and nothing without marks', () => {
    assert.deepEqual(sleepStateRows({ 'sleepmode.loft.sh/sleep-type': 'nap', 'sleepmode.loft.sh/sleeping-since': 'yesterday', 'sleepmode.loft.sh/force-duration': '0' }, iso), [
      { label: 'Sleep type', value: 'nap' },
      { label: 'Sleeping since', value: 'yesterday' },
      { label: 'Forced for', value: 'until woken on request' },
    ]);
    assert.deepEqual(sleepStateRows({ 'sleepmode.loft.sh/sleep-type': '' }, iso), [{ label: 'Sleep type', value: '(none given)' }]);
    assert.deepEqual(sleepStateRows({ 'sleepmode.loft.sh/sleep-type': 'toString' }, iso), [{ label: 'Sleep type', value: 'toString' }], 'no meaning from Object.prototype');
    assert.deepEqual(sleepStateRows({}, iso), []);
    assert.deepEqual(sleepStateRows(undefined, iso), []);
  });
  it('formats whole seconds shortest', () => {
    assert.deepEqual([0, 45, 90, 3600, 3661, 86400].map(formatSeconds), ['0s', '45s', '1m30s', '1h', '1h1m1s', '24h']);
  });
});
