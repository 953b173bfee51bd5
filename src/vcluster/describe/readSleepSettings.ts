import type { KubeClient } from '../../kube/client';
import { describeKubeError, isKubeApiError } from '../../kube/errors';
import { configSecretName, type VClusterRef } from '../identity';
import { decodeConfigSecret } from '../vclusterConfig';
import { sleepSettings, type SleepSettings } from './describeModel';

/** The sleep settings of one vCluster's config, or why they could not be read (a line that quotes nothing of the config). */
export type SleepSettingsReading =
  | { state: 'ok'; sleep: SleepSettings | undefined }
  | { state: 'unavailable'; problem: string };

/**
 * The sleep settings alone, for the tree's tooltip: one read of Secret vc-config-NAME (its
 * config is the only place they are), made when the tooltip is asked for. Only the flattened
 * sleep section leaves this function; the rest of the config (it may hold credentials) is dropped.
 */
export async function readSleepSettings(options: { client: KubeClient; vcluster: VClusterRef; signal: AbortSignal; timeoutSeconds?: number }): Promise<SleepSettingsReading> {
  const { client, vcluster, signal } = options;
  const secretName = configSecretName(vcluster.name);
  let secret: { data?: Record<string, string> };
  try {
    secret = await client.getJson(`/api/v1/namespaces/${encodeURIComponent(vcluster.namespace)}/secrets/${encodeURIComponent(secretName)}`, {}, signal);
  } catch (error) {
    if (isKubeApiError(error) && error.status === 404) return { state: 'unavailable', problem: `no Secret ${secretName} (charts before v0.20 did not write one)` };
    return { state: 'unavailable', problem: `Secret ${secretName}: ${describeKubeError(error, options.timeoutSeconds).message}` };
  }
  const decoded = decodeConfigSecret(secret);
  if (decoded.state === 'noConfigKey') return { state: 'unavailable', problem: `Secret ${secretName} has no config.yaml` };
  if (decoded.state === 'damaged') return { state: 'unavailable', problem: `Secret ${secretName}'s config.yaml is damaged: ${decoded.problem}` };
  return { state: 'ok', sleep: sleepSettings(decoded.config) };
}
