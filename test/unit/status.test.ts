import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../../src/vcluster/discovery/discoverVClusters';
import { formatAge } from '../../src/shared/format';
import { displayStatus, podStatusReason, statusTone, vclusterStatus, vclusterVersion } from '../../src/vcluster/discovery/status';
import { aContainerStatus, aDeployment, aPod, aStatefulSet } from './builders/kube';

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
