import type { V1Deployment, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { PAUSED_ANNOTATION, SLEEP_MODE_LABEL } from '../identity';
import { isWorkloadSleeping, type SleepMarks } from './sleepState';

/**
 * vCluster status exactly as the vcluster CLI derives it (pkg/cli/find/find.go), so the tree and
 * `vcluster list` never disagree: Paused from the workload's annotation or label, else "Sleeping
 * (workloads only)" from the config Secret's sleep-type annotation, else the kubectl-style reason
 * of the vCluster's pods (the last one listed wins, as in the CLI), else ScaledDown when it has no pods.
 */

/** The CLI's StatusWorkloadSleeping: the platform put the vCluster's workloads to sleep, its control plane runs. */
export const WORKLOADS_SLEEPING_STATUS = 'Sleeping (workloads only)';


export type VClusterWorkload = V1StatefulSet | V1Deployment;

/** kubectl's pod STATUS column (pkg/printers/internalversion/printers.go), as the CLI copies it. */
export function podStatusReason(pod: V1Pod): string {
  let reason = pod.status?.reason || pod.status?.phase || '';
  let initializing = false;
  const initStatuses = pod.status?.initContainerStatuses ?? [];
  const initCount = pod.spec?.initContainers?.length ?? 0;
  for (let index = 0; index < initStatuses.length; index++) {
    const state = initStatuses[index]?.state;
    const terminated = state?.terminated;
    const waiting = state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (terminated) {
      if (!terminated.reason) {
        reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${index}/${initCount}`;
    }
    initializing = true;
    break;
  }
  if (!initializing) {
    let hasRunning = false;
    const statuses = pod.status?.containerStatuses ?? [];
    for (let index = statuses.length - 1; index >= 0; index--) {
      const container = statuses[index];
      const state = container?.state;
      if (state?.waiting?.reason) {
        reason = state.waiting.reason;
      } else if (state?.terminated?.reason) {
        reason = state.terminated.reason;
      } else if (state?.terminated) {
        reason = state.terminated.signal ? `Signal:${state.terminated.signal}` : `ExitCode:${state.terminated.exitCode}`;
      } else if (container?.ready && state?.running) {
        hasRunning = true;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = 'Running';
  }
  if (pod.metadata?.deletionTimestamp && pod.status?.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp) reason = 'Terminating';
  return reason;
}


/**
 * `configSecretSleep`: the sleep marks of Secret vc-config-NAME, undefined when it is missing or
 * could not be read (the CLI then goes on to the pods too). Paused wins, as in the CLI: it reads
 * the Secret only for a vCluster that is not paused.
 * With no pods the CLI says ScaledDown only when the workload is scaled to 0, and nothing at all
 * otherwise (its pods are on their way, or their controller is failing): '' here too.
 */
export function vclusterStatus(workload: VClusterWorkload, pods: readonly V1Pod[], configSecretSleep?: SleepMarks): string {
  if (workload.metadata?.annotations?.[PAUSED_ANNOTATION] === 'true' || workload.metadata?.labels?.[SLEEP_MODE_LABEL] === 'true') return 'Paused';
  if (isWorkloadSleeping(configSecretSleep)) return WORKLOADS_SLEEPING_STATUS;
  const last = pods[pods.length - 1];
  if (last) return podStatusReason(last);
  return workload.spec?.replicas === 0 ? 'ScaledDown' : '';
}

/** What the tree shows for a status: the CLI's word, or "Starting" where the CLI shows none. */
export function displayStatus(status: string): string {
  return status === '' ? 'Starting' : status;
}

/** The syncer image's tag, read the CLI's way: only an image of the form repo:tag yields one. */
export function vclusterVersion(workload: VClusterWorkload): string | undefined {
  const syncer = workload.spec?.template?.spec?.containers?.find((container) => container.name === 'syncer');
  const parts = syncer?.image?.split(':');
  if (parts && parts.length === 2 && parts[1]) return parts[1];
  const chart = workload.metadata?.labels?.chart;
  return chart?.startsWith('vcluster-') ? chart.slice('vcluster-'.length) : undefined;
}

/** A coarse grouping the UI uses for icons and colours. */
/** sleeping: the workloads sleep (the platform's sleep mode), the control plane runs: connect works, resume is the platform's. */
export type StatusTone = 'running' | 'sleeping' | 'paused' | 'progressing' | 'failed' | 'unknown';

export function statusTone(status: string): StatusTone {
  if (status === 'Running') return 'running';
  if (status === WORKLOADS_SLEEPING_STATUS) return 'sleeping';
  if (status === 'Paused' || status === 'ScaledDown' || status.startsWith('Sleeping')) return 'paused';
  if (status === '' || status === 'Pending' || status === 'ContainerCreating' || status === 'PodInitializing' || status === 'Terminating' || /^Init:\d+\/\d+$/.test(status)) return 'progressing';
  if (status === 'Unknown') return 'unknown';
  return 'failed';
}
