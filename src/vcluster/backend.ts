/**
 * Everything that needs client-node or yaml, which take tens of milliseconds to load. esbuild
 * bundles this module on its own as dist/backend.js, and the extension loads it on first use,
 * after activation (see container.ts), so opening the vCluster view stays fast.
 */
export { loadKubeconfig } from '../kube/kubeconfig';
export { KubeClient, kubeConfigForContext } from '../kube/client';
export { discoverVClusters } from './discovery';

export type Backend = typeof import('./backend');
export { pauseVCluster, resumeVCluster } from './pause';
export { readVirtualKubeconfig, trustedConnections } from './connection';
export { PortForwardSession } from '../kube/portForward';
export { parse as parseYaml, stringify as stringifyYaml, parseDocument as parseYamlDocument } from 'yaml';
export { MappingSource } from './mappingSource';
export { readPairDetail } from './pairDetail';
export { editKubeconfigText } from '../kube/userKubeconfigEdit';
export { buildWorkspaceKubeconfig, mergeWorkspaceKubeconfig } from '../kube/workspaceKubeconfig';
export { WorkspaceKubeconfigFile } from '../kube/workspaceKubeconfigFile';
