import { Buffer } from 'node:buffer';
import type { KubeClient } from '../../kube/client';
import { parseKubeconfig, type KubeconfigDocument } from '../../kube/kubeconfig';
import type { VClusterRef } from '../identity';
import { ConnectError } from './connectionsKubeconfig';

// Part of the core bundle (the model's parser needs yaml): see coreBundle.ts.

interface Secret { data?: Record<string, string> }

/**
 * The virtual cluster's kubeconfig as the syncer wrote it into Secret vc-NAME, read as kubectl
 * reads it (the syncer writes it with Go's YAML). It is data from the cluster: only what
 * connectionKubeconfig keeps of it is ever used. A problem names the Secret, never its lines.
 */
export async function readVirtualKubeconfig(client: KubeClient, ref: VClusterRef, signal: AbortSignal): Promise<KubeconfigDocument> {
  const path = `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets/vc-${encodeURIComponent(ref.name)}`;
  let secret: Secret;
  try {
    secret = await client.getJson<Secret>(path, {}, signal);
  } catch (error) {
    if ((error as { status?: number }).status === 404) {
      throw new ConnectError(`Secret vc-${ref.name} is not in namespace ${ref.namespace} yet: the vCluster writes it once its control plane has started. Wait until it is Running, then connect again.`);
    }
    throw error;
  }
  const encoded = secret.data?.config;
  if (!encoded) throw new ConnectError(`Secret vc-${ref.name} in ${ref.namespace} has no "config" key: it does not hold a kubeconfig.`);
  const parsed = parseKubeconfig(Buffer.from(encoded, 'base64').toString('utf8'));
  if (!parsed.ok) throw new ConnectError(`Secret vc-${ref.name} in ${ref.namespace} does not hold a kubeconfig kubectl reads in its "config" key (${parsed.problem}).`);
  if (parsed.document.clusters.length === 0) throw new ConnectError(`Secret vc-${ref.name} in ${ref.namespace} does not hold a valid kubeconfig: it defines no cluster.`);
  return parsed.document;
}
