import { PAIR_STATUSES, type PairStatusName, type VClusterIdentity } from '../src/shared/protocol';
import { DEFAULT_SORT, NO_FILTER, SORT_COLUMNS, type SortColumn, type TableFilter, type TableSort } from './pairTable';

/**
 * What the inspector keeps across hiding and showing (VS Code discards a hidden webview's page)
 * and across window reloads: filters, sort, selection and scroll, and which vCluster it shows
 * (the extension reads that to restore the panel). Read back defensively: it may come from an
 * older version of the extension.
 */
export interface SavedState {
  vcluster?: VClusterIdentity;
  filter: TableFilter;
  sort: TableSort;
  selectedId?: string;
  scrollTop: number;
}

export const INITIAL_STATE: SavedState = { filter: NO_FILTER, sort: DEFAULT_SORT, scrollTop: 0 };

const isString = (value: unknown, max = 1000): value is string => typeof value === 'string' && value.length <= max;

export function parseSavedState(value: unknown): SavedState {
  if (!value || typeof value !== 'object') return INITIAL_STATE;
  const state = value as Record<string, unknown>;
  const filter = (state.filter ?? {}) as Record<string, unknown>;
  const sort = (state.sort ?? {}) as Record<string, unknown>;
  const vcluster = state.vcluster as Record<string, unknown> | undefined;
  const statuses = Array.isArray(filter.statuses)
    ? filter.statuses.filter((status): status is PairStatusName => (PAIR_STATUSES as readonly unknown[]).includes(status))
    : [];
  const result: SavedState = {
    filter: {
      text: isString(filter.text) ? filter.text : '',
      kind: isString(filter.kind) ? filter.kind : '',
      namespace: isString(filter.namespace) ? filter.namespace : '',
      statuses,
    },
    sort: {
      column: (SORT_COLUMNS as readonly unknown[]).includes(sort.column) ? (sort.column as SortColumn) : DEFAULT_SORT.column,
      descending: sort.descending === true,
    },
    scrollTop: typeof state.scrollTop === 'number' && Number.isFinite(state.scrollTop) && state.scrollTop >= 0 ? state.scrollTop : 0,
  };
  if (isString(state.selectedId) && state.selectedId) result.selectedId = state.selectedId;
  if (vcluster && isString(vcluster.name) && isString(vcluster.namespace) && isString(vcluster.hostContext)) {
    result.vcluster = { name: vcluster.name, namespace: vcluster.namespace, hostContext: vcluster.hostContext };
  }
  return result;
}
