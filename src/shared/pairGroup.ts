import type { PairStatusName } from './protocol';

/**
 * How the tree and the inspector group pairs: by the virtual namespace, with two groups of their
 * own for cluster-scoped objects and for the vCluster's own objects on the host.
 */
export const CLUSTER_SCOPE_GROUP = '(cluster)';
export const CONTROL_PLANE_GROUP = '(vCluster control plane)';

export function pairGroup(status: PairStatusName, virtual: { namespace?: string } | undefined): string {
  if (status === 'controlPlane') return CONTROL_PLANE_GROUP;
  return virtual?.namespace ?? (virtual ? CLUSTER_SCOPE_GROUP : CONTROL_PLANE_GROUP);
}
