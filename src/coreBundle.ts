/**
 * Everything that needs client-node or yaml, which take tens of milliseconds to load. esbuild
 * bundles this module on its own as dist/core-bundle.js, and the extension loads it on first use,
 * after activation (see container.ts), so opening the vCluster view stays fast.
 */
export { loadKubeconfig, parseKubeconfig, serializeKubeconfig } from './kube/kubeconfig';
export { KubeClient, kubeConfigForContext } from './kube/client';
export { discoverVClusters } from './vcluster/discovery/discoverVClusters';
export { HostWatch } from './vcluster/discovery/hostWatch';

export type CoreBundle = typeof import('./coreBundle');
export { pauseVCluster, resumeVCluster } from './vcluster/lifecycle/pauseResume';
export { trustedConnections } from './vcluster/connect/connectionsKubeconfig';
export { readVirtualKubeconfig } from './vcluster/connect/virtualKubeconfig';
export { PortForwardSession } from './kube/portForward';
export { stringify as stringifyYaml, parseDocument as parseYamlDocument } from 'yaml';
export { MappingSource } from './vcluster/mapping/mappingSource';
export { readPairDetail } from './vcluster/compare/pairDetail';
export { editKubeconfigText } from './kube/userKubeconfigEdit';
export { buildWorkspaceKubeconfig, mergeWorkspaceKubeconfig } from './kube/workspaceKubeconfig';
export { WorkspaceKubeconfigFile } from './kube/workspaceKubeconfigFile';
export { describeVCluster } from './vcluster/describe/describeVCluster';
export { readSleepSettings } from './vcluster/describe/readSleepSettings';
export { followPodLog, LogBuffer } from './kube/podLogs';
export { gatherWhyNotSynced } from './vcluster/explain/gatherWhy';
export { whyNotSyncedText } from './vcluster/explain/whyText';
