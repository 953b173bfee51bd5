import { SYNCABLE_KINDS, VIRTUAL_ONLY_WORKLOAD_KINDS } from './mapping';

/**
 * REST paths of the kinds the mapping shows, for reading one object (its YAML): the synced kinds
 * and the virtual-only workload kinds, from the mapping's tables.
 */

const PATHS = new Map<string, { apiPath: string; resource: string }>([
  ...SYNCABLE_KINDS.map((entry) => [entry.kind, entry] as const),
  ...VIRTUAL_ONLY_WORKLOAD_KINDS.map((entry) => [entry.kind, entry] as const),
]);

/** The path of one object, or undefined for a kind the extension does not know. */
export function objectPath(kind: string, namespace: string | undefined, name: string): string | undefined {
  const entry = PATHS.get(kind);
  if (!entry) return undefined;
  const scope = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${entry.apiPath}${scope}/${entry.resource}/${encodeURIComponent(name)}`;
}
