import type { PairRow } from '../shared/protocol';
import type { MappingPair } from '../vcluster/mapping/mapping';

/** A mapping pair as one row of the inspector's table (what crosses to the webview). */
export function toPairRow(pair: MappingPair): PairRow {
  const row: PairRow = { id: pair.id, kind: pair.kind, status: pair.status };
  if (pair.virtual) {
    row.virtualName = pair.virtual.name;
    if (pair.virtual.namespace) row.virtualNamespace = pair.virtual.namespace;
  }
  if (pair.host) {
    row.hostName = pair.host.name;
    if (pair.host.namespace) row.hostNamespace = pair.host.namespace;
  }
  const created = pair.virtual?.created ?? pair.host?.created;
  if (created) row.created = created;
  if (pair.events?.warnings) row.warnings = pair.events.warnings;
  const problem = pair.problem ?? pair.events?.newestWarning;
  if (problem) row.problem = problem.length > 500 ? `${problem.slice(0, 500)}…` : problem;
  return row;
}

/** Rows to send for a change: the changed pairs that exist now, and the ids that are gone. */
export function rowChanges(pairs: readonly MappingPair[], changedIds: ReadonlySet<string>): { upserts: PairRow[]; removedIds: string[] } {
  const upserts: PairRow[] = [];
  const present = new Set<string>();
  for (const pair of pairs) {
    if (!changedIds.has(pair.id)) continue;
    upserts.push(toPairRow(pair));
    present.add(pair.id);
  }
  return { upserts, removedIds: [...changedIds].filter((id) => !present.has(id)) };
}
