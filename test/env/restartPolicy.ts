// When a local process that stands in for a pod's container exits, it is restarted the way kubelet
// restarts a container (pkg/kubelet/kubelet.go, backOffPeriod and MaxContainerBackOff): after 10 s,
// doubling after each further exit up to 5 min, and back to 10 s once it had run for 10 min.
export interface RestartPolicy {
  initialMs: number;
  maxMs: number;
  /** A run at least this long forgets earlier exits. */
  resetAfterMs: number;
}

export const KUBELET_RESTART_POLICY: RestartPolicy = { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };

/** The wait before the next start, given the wait before this run (none for the first) and how long it ran. */
export function nextRestartDelay(previousDelayMs: number | undefined, ranMs: number, policy: RestartPolicy = KUBELET_RESTART_POLICY): number {
  if (previousDelayMs === undefined || ranMs >= policy.resetAfterMs) return policy.initialMs;
  return Math.min(previousDelayMs * 2, policy.maxMs);
}
