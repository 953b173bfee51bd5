/**
 * What identifies a vCluster, and the labels and annotations the chart, the CLI and the syncer put
 * on host objects. Every room of src/vcluster reads these from here, so a marker changes in one
 * place. Values checked against the vcluster source (see ../shared notes and the tests).
 */

/** What identifies one vCluster everywhere: its host context, namespace and name. */
export interface VClusterRef {
  hostContext: string;
  namespace: string;
  name: string;
}

export function vclusterKey(ref: VClusterRef): string {
  return `${ref.hostContext}/${ref.namespace}/${ref.name}`;
}

/** The label every vCluster chart puts on its StatefulSet or Deployment and its pods. */
export const VCLUSTER_SELECTOR = 'app=vcluster';

/** The workload and pods of one vCluster, selected as the CLI selects them. */
export function vclusterSelector(name: string): string {
  return `${VCLUSTER_SELECTOR},release=${name}`;
}

/** Secret vc-config-NAME holds the vCluster's effective config (key config.yaml, see vclusterConfig.ts). */
export function configSecretName(name: string): string {
  return `vc-config-${name}`;
}

/** The annotation the CLI puts on a namespace it created, so delete knows it may remove it. */
export const CREATED_NAMESPACE_ANNOTATION = 'vcluster.loft.sh/created';

/** Pause (the CLI's and ours): set on the workload, with the replicas to restore on resume. */
export const PAUSED_ANNOTATION = 'loft.sh/paused';
export const PAUSED_REPLICAS_ANNOTATION = 'loft.sh/paused-replicas';
export const PAUSED_DATE_ANNOTATION = 'loft.sh/paused-date';
/** The platform's sleep mode, shown as its own status. */
export const SLEEP_MODE_LABEL = 'loft.sh/sleep-mode';
/**
 * The platform's sleep-mode agent cannot touch the workload when it puts only the workloads to
 * sleep: it marks Secret vc-config-NAME instead. This key, whatever its value, makes the CLI say
 * "Sleeping (workloads only)"; the others say since when and why (agentapi cluster/v1 constants).
 */
export const SLEEP_TYPE_ANNOTATION = 'sleepmode.loft.sh/sleep-type';
export const SLEEPING_SINCE_ANNOTATION = 'sleepmode.loft.sh/sleeping-since';
export const SLEEP_FORCE_DURATION_ANNOTATION = 'sleepmode.loft.sh/force-duration';

/** The syncer's markers on every host object it manages. */
export const MANAGED_BY_LABEL = 'vcluster.loft.sh/managed-by';
export const VIRTUAL_NAMESPACE_LABEL = 'vcluster.loft.sh/namespace';
export const NAME_ANNOTATION = 'vcluster.loft.sh/object-name';
export const NAMESPACE_ANNOTATION = 'vcluster.loft.sh/object-namespace';
export const UID_ANNOTATION = 'vcluster.loft.sh/object-uid';
export const KIND_ANNOTATION = 'vcluster.loft.sh/object-kind';
