// Where the local clusters keep their state, under the cache root (never in ~/.kube or ~/.kwok).
import { join } from 'node:path';
import { cacheDir } from '../../scripts/lib/cache.mjs';

/** kwokctl's work dir (KWOK_WORKDIR): clusters/<name>/{kubeconfig.yaml,pids,logs,pki,etcd}. */
export function kwokWorkdir(): string {
  return cacheDir('kwok') as string;
}

export function clusterDir(name: string): string {
  return join(kwokWorkdir(), 'clusters', name);
}

/** The local vCluster syncers of one host cluster: one folder each (syncer.ts). */
export function syncersDir(cluster: string): string {
  return join(kwokWorkdir(), 'vclusters', cluster);
}

/** Kubeconfigs of the vClusters on one host cluster, straight to their pods' IPs (vclusterFixture.ts). */
export function virtualKubeconfigsDir(cluster: string): string {
  return join(kwokWorkdir(), 'virtual-kubeconfigs', cluster);
}
