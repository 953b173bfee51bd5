import { Buffer } from 'node:buffer';
import { parseYamlQuietly } from '../kube/quietYaml';

/**
 * The vCluster's effective config as Secret vc-config-NAME holds it (base64 YAML under
 * config.yaml), decoded once for every reader (the mapping's sync settings, Describe). Each
 * reader says in its own words what it does when there is none; the problem never quotes the
 * content (a config can hold credentials).
 */
export type DecodedVClusterConfig =
  | { state: 'ok'; config: unknown }
  | { state: 'noConfigKey' }
  /** Where it is damaged (line, column), never what is written there. */
  | { state: 'damaged'; problem: string };

export function decodeConfigSecret(secret: { data?: Record<string, string> } | undefined): DecodedVClusterConfig {
  const encoded = secret?.data?.['config.yaml'];
  if (!encoded) return { state: 'noConfigKey' };
  const parsed = parseYamlQuietly(Buffer.from(encoded, 'base64').toString('utf8'));
  return parsed.ok ? { state: 'ok', config: parsed.value } : { state: 'damaged', problem: parsed.problem };
}
