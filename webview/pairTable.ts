import { naturalCompare } from '../src/shared/naturalCompare';
import { pairGroup } from '../src/shared/pairGroup';
import { emptyStatusCounts, type PairRow, type PairStatusName } from '../src/shared/protocol';

/**
 * The inspector table's model, without the DOM: the pairs by id, one sorted order, and the rows a
 * filter lets through with the counts for the summary bar. A keystroke in the search box costs
 * one pass over the sorted rows (the search text of each row is lower-cased once, when it
 * arrives); sorting happens only when the rows or the sort order change.
 */

export type SortColumn = 'kind' | 'virtual' | 'host' | 'status' | 'age';
export const SORT_COLUMNS: readonly SortColumn[] = ['kind', 'virtual', 'host', 'status', 'age'];

export interface TableFilter {
  /** Words that must all appear in either side's namespace/name (case-insensitive). */
  text: string;
  /** '' for every kind. */
  kind: string;
  /** A virtual namespace or a group of pairGroup(); '' for all. */
  namespace: string;
  /** Empty: every status. */
  statuses: readonly PairStatusName[];
}

export interface TableSort {
  column: SortColumn;
  descending: boolean;
}

export const NO_FILTER: TableFilter = { text: '', kind: '', namespace: '', statuses: [] };
export const DEFAULT_SORT: TableSort = { column: 'virtual', descending: false };

interface IndexedRow {
  row: PairRow;
  group: string;
  /** "vns/vname hns/hname", lower-cased: what the search box matches. */
  searchText: string;
  virtualKey: string;
  hostKey: string;
  createdMs: number;
}

const STATUS_ORDER: Record<PairStatusName, number> = { error: 0, orphaned: 1, pending: 2, synced: 3, virtualOnly: 4, controlPlane: 5 };

function qualified(namespace: string | undefined, name: string | undefined): string {
  if (!name) return '';
  return namespace ? `${namespace}/${name}` : name;
}

function index(row: PairRow): IndexedRow {
  const virtualKey = qualified(row.virtualNamespace, row.virtualName).toLowerCase();
  const hostKey = qualified(row.hostNamespace, row.hostName).toLowerCase();
  const created = row.created ? Date.parse(row.created) : NaN;
  return {
    row,
    group: pairGroup(row.status, row.virtualName ? { ...(row.virtualNamespace ? { namespace: row.virtualNamespace } : {}) } : undefined),
    searchText: `${virtualKey} ${hostKey}`,
    virtualKey,
    hostKey,
    createdMs: Number.isNaN(created) ? 0 : created,
  };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Names in natural order (web-2 before web-10), as the tree shows them; ids stay code-unit
// ordered for the tie-break, which only needs to be total.
function comparator(sort: TableSort): (a: IndexedRow, b: IndexedRow) => number {
  const direction = sort.descending ? -1 : 1;
  const byColumn: Record<SortColumn, (a: IndexedRow, b: IndexedRow) => number> = {
    kind: (a, b) => compareText(a.row.kind, b.row.kind) || naturalCompare(a.virtualKey, b.virtualKey),
    virtual: (a, b) => naturalCompare(a.virtualKey || a.hostKey, b.virtualKey || b.hostKey),
    host: (a, b) => naturalCompare(a.hostKey, b.hostKey),
    status: (a, b) => STATUS_ORDER[a.row.status] - STATUS_ORDER[b.row.status],
    // Newest first reads as "ascending age".
    age: (a, b) => b.createdMs - a.createdMs,
  };
  const primary = byColumn[sort.column];
  // Ties broken by id, always ascending, so the order is total and stable across updates.
  return (a, b) => primary(a, b) * direction || compareText(a.row.id, b.row.id);
}

export interface FilteredPairs {
  /** The rows the filter lets through, in sort order. */
  rows: readonly PairRow[];
  /** Per status: rows that pass every filter but the status filter (what a status toggle would show). */
  counts: Record<PairStatusName, number>;
  total: number;
}

export class PairTable {
  private readonly byId = new Map<string, IndexedRow>();
  private sortedRows: IndexedRow[] | undefined;
  private sortOrder: TableSort = DEFAULT_SORT;
  private filterValue: TableFilter = NO_FILTER;
  private cachedView: FilteredPairs | undefined;
  private cachedKinds: string[] | undefined;
  private cachedGroups: string[] | undefined;

  get filter(): TableFilter {
    return this.filterValue;
  }

  get sort(): TableSort {
    return this.sortOrder;
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): PairRow | undefined {
    return this.byId.get(id)?.row;
  }

  replaceAll(rows: readonly PairRow[]): void {
    this.byId.clear();
    for (const row of rows) this.byId.set(row.id, index(row));
    this.dataChanged();
  }

  applyUpdate(upserts: readonly PairRow[], removedIds: readonly string[]): void {
    for (const id of removedIds) this.byId.delete(id);
    for (const row of upserts) this.byId.set(row.id, index(row));
    if (upserts.length > 0 || removedIds.length > 0) this.dataChanged();
  }

  setFilter(filter: TableFilter): void {
    this.filterValue = { ...filter, statuses: [...filter.statuses] };
    this.invalidate(false);
  }

  setSort(sort: TableSort): void {
    this.sortOrder = { ...sort };
    this.invalidate(true);
  }

  /** Kinds and groups present, for the filter drop-downs. */
  kinds(): readonly string[] {
    this.cachedKinds ??= [...new Set([...this.byId.values()].map((entry) => entry.row.kind))].sort(compareText);
    return this.cachedKinds;
  }

  groups(): readonly string[] {
    // Real namespaces first, then the two synthetic groups, as in the tree.
    this.cachedGroups ??= [...new Set([...this.byId.values()].map((entry) => entry.group))]
      .sort((a, b) => Number(a.startsWith('(')) - Number(b.startsWith('(')) || naturalCompare(a, b));
    return this.cachedGroups;
  }

  view(): FilteredPairs {
    if (this.cachedView) return this.cachedView;
    this.sortedRows ??= [...this.byId.values()].sort(comparator(this.sortOrder));
    const { kind, namespace, statuses } = this.filterValue;
    const words = this.filterValue.text.toLowerCase().split(/\s+/).filter(Boolean);
    const statusAllowed = statuses.length === 0 ? undefined : new Set(statuses);
    const counts = emptyStatusCounts();
    const rows: PairRow[] = [];
    for (const entry of this.sortedRows) {
      if (kind && entry.row.kind !== kind) continue;
      if (namespace && entry.group !== namespace) continue;
      if (words.length > 0 && !words.every((word) => entry.searchText.includes(word))) continue;
      counts[entry.row.status]++;
      if (statusAllowed && !statusAllowed.has(entry.row.status)) continue;
      rows.push(entry.row);
    }
    this.cachedView = { rows, counts, total: this.byId.size };
    return this.cachedView;
  }

  private dataChanged(): void {
    this.cachedKinds = undefined;
    this.cachedGroups = undefined;
    this.invalidate(true);
  }

  private invalidate(resort: boolean): void {
    if (resort) this.sortedRows = undefined;
    this.cachedView = undefined;
  }
}
