import { PAIR_STATUSES, type PairStatusName } from '../src/shared/protocol';
import { h, icon, setText } from './dom';
import type { FilteredPairs, TableFilter } from './pairTable';
import { STATUS_ICONS, STATUS_LABELS } from './pairTableView';

/**
 * Search, the kind and namespace filters, and the summary bar: a count per status that is also
 * the status filter (press one or more to show only those).
 */

export interface ToolbarHandlers {
  onFilter(filter: TableFilter): void;
}

type Select = HTMLElement & { value: string };
type TextField = HTMLElement & { value: string };

export class Toolbar {
  readonly element: HTMLElement;
  readonly summary: HTMLElement;
  private readonly search: TextField;
  private readonly kindSelect: Select;
  private readonly namespaceSelect: Select;
  private readonly statusButtons = new Map<PairStatusName, { button: HTMLButtonElement; count: HTMLSpanElement }>();
  private readonly shown: HTMLSpanElement;
  private filter: TableFilter;
  private kindOptions = '';
  private namespaceOptions = '';

  constructor(initial: TableFilter, private readonly handlers: ToolbarHandlers) {
    this.filter = initial;
    this.search = h('vscode-textfield', { class: 'search', placeholder: 'Search virtual or host names', 'aria-label': 'Search virtual or host names' },
      h('span', { slot: 'content-before', class: 'codicon codicon-search', 'aria-hidden': 'true' })) as TextField;
    this.search.value = initial.text;
    this.search.addEventListener('input', () => this.update({ text: this.search.value }));
    this.search.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.search.value) {
        this.search.value = '';
        this.update({ text: '' });
        event.stopPropagation();
      }
    });
    this.kindSelect = h('vscode-single-select', { class: 'kind-filter', 'aria-label': 'Kind' }) as Select;
    this.kindSelect.addEventListener('change', () => this.update({ kind: this.kindSelect.value }));
    this.namespaceSelect = h('vscode-single-select', { class: 'namespace-filter', 'aria-label': 'Virtual namespace' }) as Select;
    this.namespaceSelect.addEventListener('change', () => this.update({ namespace: this.namespaceSelect.value }));
    const clear = h('vscode-button', { secondary: '', icon: 'clear-all', class: 'clear-filters', title: 'Clear search and filters' }, 'Clear');
    clear.addEventListener('click', () => this.reset());
    this.element = h('div', { class: 'toolbar' }, this.search, this.kindSelect, this.namespaceSelect, clear);

    this.shown = h('span', { class: 'shown', 'aria-live': 'polite' });
    const toggles = PAIR_STATUSES.map((status) => {
      const count = h('span', { class: 'count' }, '0');
      const button = h('button', { type: 'button', class: `status-toggle status-${status}`, 'aria-pressed': 'false', title: `Show only ${STATUS_LABELS[status]} pairs (press several to combine)`, 'data-status': status },
        icon(STATUS_ICONS[status]), count, h('span', { class: 'label' }, STATUS_LABELS[status]));
      button.addEventListener('click', () => {
        const statuses = new Set(this.filter.statuses);
        if (statuses.has(status)) statuses.delete(status);
        else statuses.add(status);
        this.update({ statuses: PAIR_STATUSES.filter((candidate) => statuses.has(candidate)) });
      });
      this.statusButtons.set(status, { button, count });
      return button;
    });
    this.summary = h('div', { class: 'summary', role: 'toolbar', 'aria-label': 'Pairs per status; press to filter' }, ...toggles, this.shown);
    this.renderFilter();
  }

  focusSearch(): void {
    this.search.focus();
  }

  reset(): void {
    this.search.value = '';
    this.update({ text: '', kind: '', namespace: '', statuses: [] });
  }

  /** Shows a filter chosen elsewhere (restored state, a pair focused from the tree). */
  setFilter(filter: TableFilter): void {
    this.filter = filter;
    if (this.search.value !== filter.text) {
      // Focus moving on from the field (to the table) would fire its change event with the text
      // still in its input, which the field then takes back as its value: let that happen first.
      (this.search.shadowRoot?.activeElement as HTMLElement | null | undefined)?.blur();
      this.search.value = filter.text;
    }
    this.renderFilter();
  }

  setChoices(kinds: readonly string[], groups: readonly string[]): void {
    const kindKey = kinds.join('\n');
    if (kindKey !== this.kindOptions) {
      this.kindOptions = kindKey;
      this.fillSelect(this.kindSelect, 'All kinds', kinds, this.filter.kind);
    }
    const groupKey = groups.join('\n');
    if (groupKey !== this.namespaceOptions) {
      this.namespaceOptions = groupKey;
      this.fillSelect(this.namespaceSelect, 'All namespaces', groups, this.filter.namespace);
    }
  }

  setCounts(view: FilteredPairs): void {
    for (const [status, { count, button }] of this.statusButtons) {
      setText(count, thousands(view.counts[status]));
      button.classList.toggle('empty', view.counts[status] === 0);
    }
    setText(this.shown, view.rows.length === view.total ? `${thousands(view.total)} pairs` : `Showing ${thousands(view.rows.length)} of ${thousands(view.total)} pairs`);
  }

  private fillSelect(select: Select, allLabel: string, values: readonly string[], selected: string): void {
    // A value no longer present (a filtered kind whose last object went) stays choosable.
    const options = selected && !values.includes(selected) ? [...values, selected] : values;
    select.replaceChildren(h('vscode-option', { value: '' }, allLabel), ...options.map((value) => h('vscode-option', { value }, value)));
    select.value = selected;
  }

  private update(change: Partial<TableFilter>): void {
    this.filter = { ...this.filter, ...change };
    this.renderFilter();
    this.handlers.onFilter(this.filter);
  }

  private renderFilter(): void {
    if (this.kindSelect.value !== this.filter.kind) this.kindSelect.value = this.filter.kind;
    if (this.namespaceSelect.value !== this.filter.namespace) this.namespaceSelect.value = this.filter.namespace;
    for (const [status, { button }] of this.statusButtons) {
      button.setAttribute('aria-pressed', String(this.filter.statuses.includes(status)));
    }
  }
}

/** 10000 → "10,000". Not toLocaleString: its first call loads ICU data, 15 ms of first paint. */
function thousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
