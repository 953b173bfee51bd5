// Dynamic volumes for the local host, like kind's local-path-provisioner: a default StorageClass
// `standard`, and for each claim of it a host-path volume in a folder under the cache. A claim's
// volume is deleted with its folder when the claim goes (reclaim policy Delete). A vCluster pod's
// /data is its volume's folder (agent.ts), so its data survives pause and resume.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeClient } from '../../../src/kube/client';

export const PROVISIONER = 'vcluster-vscode.local/host-path';
export const STORAGE_CLASS = 'standard';
const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';

interface Claim {
  metadata: { name: string; namespace: string; uid: string; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec: { accessModes?: string[]; storageClassName?: string; volumeName?: string; resources?: { requests?: Record<string, string> } };
  status?: { phase?: string };
}

interface Volume {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { hostPath?: { path: string }; claimRef?: { namespace?: string; name?: string; uid?: string } };
  status?: { phase?: string };
}

const timeout = () => AbortSignal.timeout(10_000);

function ignoreConflict(error: unknown): void {
  if ((error as { status?: number }).status !== 409) throw error;
}

export async function ensureStorageClass(client: KubeClient): Promise<void> {
  await client.request('POST', '/apis/storage.k8s.io/v1/storageclasses', { body: {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  } }, timeout()).catch(ignoreConflict);
}

export function volumeDir(volumesRoot: string, volumeName: string): string {
  return join(volumesRoot, volumeName);
}

/**
 * One pass: a volume for every pending claim of our class, and away with every volume of ours
 * whose claim is gone. Returns what it did, for the agent's log.
 */
export async function reconcileVolumes(client: KubeClient, volumesRoot: string): Promise<string[]> {
  const done: string[] = [];
  const claims = await client.request<{ items: Claim[] }>('GET', '/api/v1/persistentvolumeclaims', {}, timeout());
  for (const claim of claims.items) {
    const annotations = claim.metadata.annotations ?? {};
    const ours = annotations['volume.kubernetes.io/storage-provisioner'] === PROVISIONER || annotations['volume.beta.kubernetes.io/storage-provisioner'] === PROVISIONER;
    if (!ours || claim.status?.phase !== 'Pending' || claim.spec.volumeName || claim.metadata.deletionTimestamp) continue;
    const name = `pvc-${claim.metadata.uid}`;
    const path = volumeDir(volumesRoot, name);
    mkdirSync(path, { recursive: true, mode: 0o700 });
    await client.request('POST', '/api/v1/persistentvolumes', { body: {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, annotations: { [PROVISIONED_BY]: PROVISIONER } },
      spec: {
        capacity: { storage: claim.spec.resources?.requests?.storage ?? '1Gi' },
        accessModes: claim.spec.accessModes ?? ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: claim.spec.storageClassName ?? STORAGE_CLASS,
        hostPath: { path, type: 'DirectoryOrCreate' },
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid },
      },
    } }, timeout()).then(() => done.push(`provisioned ${name} for ${claim.metadata.namespace}/${claim.metadata.name}`), ignoreConflict);
  }
  const volumes = await client.request<{ items: Volume[] }>('GET', '/api/v1/persistentvolumes', {}, timeout());
  for (const volume of volumes.items) {
    if (volume.metadata.annotations?.[PROVISIONED_BY] !== PROVISIONER) continue;
    if (volume.status?.phase !== 'Released' && volume.status?.phase !== 'Failed') continue;
    rmSync(volumeDir(volumesRoot, volume.metadata.name), { recursive: true, force: true });
    await client.request('DELETE', `/api/v1/persistentvolumes/${encodeURIComponent(volume.metadata.name)}`, {}, timeout()).catch((error: { status?: number }) => {
      if (error.status !== 404) throw error;
    });
    done.push(`deleted ${volume.metadata.name} (its claim ${volume.spec.claimRef?.namespace}/${volume.spec.claimRef?.name} is gone)`);
  }
  return done;
}

/** The folder of the volume bound to a claim, when it is one of ours. */
export async function claimVolumeDir(client: KubeClient, namespace: string, claimName: string): Promise<string | undefined> {
  const claim = await client.request<Claim>('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/persistentvolumeclaims/${encodeURIComponent(claimName)}`, {}, timeout());
  if (!claim.spec.volumeName) return undefined;
  const volume = await client.request<Volume>('GET', `/api/v1/persistentvolumes/${encodeURIComponent(claim.spec.volumeName)}`, {}, timeout());
  return volume.spec.hostPath?.path;
}
