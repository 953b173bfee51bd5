import { formatAge } from '../src/shared/format';
import { rowHasHostObject, type PairRow, type PairStatusName } from '../src/shared/protocol';
import { h, icon, oncePerFrame, setText } from './dom';
import type { SortColumn, TableSort } from './pairTable';

/**
 * The pairs table, windowed: only the rows in view (plus a few either side) exist in the DOM, in a
 * pool of row elements reused as the list scrolls, so 10,000 rows cost what 40 do. Rows have one
 * fixed height; a spacer gives the scrollbar the full length. Keyboard: arrows, Page Up/Down,
 * Home/End move the selection; Enter opens the selected pair's YAML.
 */

export const ROW_HEIGHT = 24;
const OVERSCAN = 8;

export const STATUS_LABELS: Record<PairStatusName, string> = {
  synced: 'synced',
  pending: 'pending',
  error: 'sync error',
  orphaned: 'orphaned',
  virtualOnly: 'virtual only',
  controlPlane: 'control plane',
};

export const STATUS_ICONS: Record<PairStatusName, string> = {
  synced: 'pass',
  pending: 'sync',
  error: 'error',
  orphaned: 'warning',
  virtualOnly: 'circle-outline',
  controlPlane: 'server-process',
};

const COLUMNS: Array<{ column: SortColumn; title: string }> = [
  { column: 'kind', title: 'Kind' },
  { column: 'virtual', title: 'Virtual (namespace/name)' },
  { column: 'host', title: 'Host (namespace/name)' },
  { column: 'status', title: 'Status' },
  { column: 'age', title: 'Age' },
];

export interface TableHandlers {
  onSelect(id: string): void;
  onActivate(id: string): void;
  onSort(column: SortColumn): void;
  onScroll(scrollTop: number): void;
}

interface RowElements {
  row: HTMLDivElement;
  kind: HTMLSpanElement;
  virtualNamespace: HTMLSpanElement;
  virtualName: HTMLSpanElement;
  hostNamespace: HTMLSpanElement;
  hostName: HTMLSpanElement;
  statusIcon: HTMLSpanElement;
  statusText: HTMLSpanElement;
  /** ⚠ N: warning events on either side, the newest (or the sync error) as its tooltip. */
  warningBadge: HTMLSpanElement;
  age: HTMLSpanElement;
  status?: PairStatusName;
}

export class PairTableView {
  readonly element: HTMLDivElement;
  private readonly viewport: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly rowLayer: HTMLDivElement;
  private readonly headers = new Map<SortColumn, HTMLDivElement>();
  private readonly pool: RowElements[] = [];
  private rows: readonly PairRow[] = [];
  private indexById = new Map<string, number>();
  private selectedId: string | undefined;
  private viewportHeight = 0;

  constructor(private readonly handlers: TableHandlers) {
    const header = h('div', { class: 'thead', role: 'row' });
    for (const { column, title } of COLUMNS) {
      const cell = h('div', { class: `th col-${column}`, role: 'columnheader', 'aria-sort': 'none' },
        h('button', { class: 'sort', type: 'button', title: `Sort by ${title.toLowerCase()}` }, title, icon('arrow-up', 'sort-icon')));
      cell.querySelector('button')!.addEventListener('click', () => handlers.onSort(column));
      this.headers.set(column, cell);
      header.append(cell);
    }
    this.spacer = h('div', { class: 'spacer' });
    this.rowLayer = h('div', { class: 'rows', role: 'rowgroup' });
    this.viewport = h('div', { class: 'viewport', tabindex: '0', role: 'rowgroup', 'aria-label': 'Pairs' }, this.spacer, this.rowLayer);
    this.element = h('div', { class: 'table', role: 'grid', 'aria-label': 'Virtual and host objects', 'aria-rowcount': '0' }, header, this.viewport);
    this.viewport.addEventListener('scroll', () => {
      this.scheduleRender();
      handlers.onScroll(this.viewport.scrollTop);
    }, { passive: true });
    this.viewport.addEventListener('keydown', (event) => this.onKey(event));
    this.rowLayer.addEventListener('click', (event) => {
      const id = (event.target as HTMLElement).closest<HTMLElement>('.row')?.dataset.id;
      if (id) handlers.onSelect(id);
    });
    this.rowLayer.addEventListener('dblclick', (event) => {
      const id = (event.target as HTMLElement).closest<HTMLElement>('.row')?.dataset.id;
      if (id) handlers.onActivate(id);
    });
    // The height is read here, not while drawing: reading layout right after writing rows would
    // force a second layout on every keystroke.
    new ResizeObserver(([entry]) => {
      this.viewportHeight = entry?.contentRect.height ?? this.viewportHeight;
      this.scheduleRender();
    }).observe(this.viewport);
  }

  get scrollTop(): number {
    return this.viewport.scrollTop;
  }

  set scrollTop(value: number) {
    this.viewport.scrollTop = value;
    this.renderNow();
  }

  focus(): void {
    this.viewport.focus();
  }

  setSort(sort: TableSort): void {
    for (const [column, cell] of this.headers) {
      const active = column === sort.column;
      cell.setAttribute('aria-sort', active ? (sort.descending ? 'descending' : 'ascending') : 'none');
      cell.classList.toggle('sorted', active);
      cell.classList.toggle('descending', active && sort.descending);
    }
  }

  /** New rows (and the selection among them), drawn once. */
  setRows(rows: readonly PairRow[], selectedId: string | undefined): void {
    this.rows = rows;
    this.selectedId = selectedId;
    this.indexById = new Map(rows.map((row, index) => [row.id, index]));
    this.spacer.style.height = `${rows.length * ROW_HEIGHT}px`;
    this.element.setAttribute('aria-rowcount', String(rows.length + 1));
    this.renderNow();
  }

  setSelected(id: string | undefined, options: { reveal?: boolean } = {}): void {
    this.selectedId = id;
    if (options.reveal && id !== undefined) this.reveal(id);
    this.renderNow();
  }

  /** Redraws visible rows (ages move on). */
  refresh(): void {
    this.renderNow();
  }

  private reveal(id: string): void {
    const index = this.indexById.get(id);
    if (index === undefined) return;
    const top = index * ROW_HEIGHT;
    const height = this.viewport.clientHeight;
    if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
    else if (top + ROW_HEIGHT > this.viewport.scrollTop + height) this.viewport.scrollTop = top + ROW_HEIGHT - height;
  }

  private onKey(event: KeyboardEvent): void {
    if (this.rows.length === 0) return;
    const current = this.selectedId === undefined ? -1 : this.indexById.get(this.selectedId) ?? -1;
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / ROW_HEIGHT) - 1);
    let next: number | undefined;
    switch (event.key) {
      case 'ArrowDown': next = current + 1; break;
      case 'ArrowUp': next = current <= 0 ? 0 : current - 1; break;
      case 'PageDown': next = current + page; break;
      case 'PageUp': next = current - page; break;
      case 'Home': next = 0; break;
      case 'End': next = this.rows.length - 1; break;
      case 'Enter':
        if (this.selectedId) this.handlers.onActivate(this.selectedId);
        event.preventDefault();
        return;
      default:
        return;
    }
    event.preventDefault();
    const row = this.rows[Math.min(this.rows.length - 1, Math.max(0, next))];
    if (row) this.handlers.onSelect(row.id);
  }

  private readonly scheduleRender = oncePerFrame(() => this.renderNow());

  private renderNow(): void {
    const height = this.viewportHeight || this.viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((this.viewport.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
    const count = Math.max(0, last - first);
    while (this.pool.length < count) this.pool.push(this.createRow());
    this.rowLayer.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    const now = Date.now();
    let activeDescendant: string | undefined;
    for (let slot = 0; slot < this.pool.length; slot++) {
      const elements = this.pool[slot]!;
      const row = slot < count ? this.rows[first + slot] : undefined;
      if (!row) {
        if (elements.row.parentElement) elements.row.remove();
        continue;
      }
      if (!elements.row.parentElement) this.rowLayer.append(elements.row);
      this.fill(elements, row, first + slot, now);
      if (row.id === this.selectedId) activeDescendant = elements.row.id;
    }
    if (activeDescendant) this.viewport.setAttribute('aria-activedescendant', activeDescendant);
    else this.viewport.removeAttribute('aria-activedescendant');
  }

  private createRow(): RowElements {
    const kind = h('span', { class: 'cell col-kind', role: 'gridcell' });
    const virtualNamespace = h('span', { class: 'ns' });
    const virtualName = h('span', { class: 'name' });
    const hostNamespace = h('span', { class: 'ns' });
    const hostName = h('span', { class: 'name' });
    const statusIcon = icon('pass');
    const statusText = h('span');
    const warningBadge = h('span', { class: 'warning-badge', hidden: '' });
    const age = h('span', { class: 'cell col-age', role: 'gridcell' });
    const row = h('div', { class: 'row', role: 'row', id: `pair-row-${this.pool.length}` },
      kind,
      h('span', { class: 'cell col-virtual', role: 'gridcell' }, virtualNamespace, virtualName),
      h('span', { class: 'cell col-host', role: 'gridcell' }, hostNamespace, hostName),
      h('span', { class: 'cell col-status', role: 'gridcell' }, statusIcon, statusText, warningBadge),
      age);
    return { row, kind, virtualNamespace, virtualName, hostNamespace, hostName, statusIcon, statusText, warningBadge, age };
  }

  private fill(elements: RowElements, row: PairRow, index: number, now: number): void {
    const element = elements.row;
    if (element.dataset.id !== row.id) element.dataset.id = row.id;
    element.setAttribute('aria-rowindex', String(index + 2));
    const selected = row.id === this.selectedId;
    if (element.classList.contains('selected') !== selected) {
      element.classList.toggle('selected', selected);
      element.setAttribute('aria-selected', String(selected));
    }
    setText(elements.kind, row.kind);
    setText(elements.virtualNamespace, row.virtualName && row.virtualNamespace ? `${row.virtualNamespace}/` : '');
    setText(elements.virtualName, row.virtualName ?? '—');
    setText(elements.hostNamespace, row.hostName && row.hostNamespace ? `${row.hostNamespace}/` : '');
    setText(elements.hostName, row.hostName ? (rowHasHostObject(row) ? row.hostName : `${row.hostName} (expected)`) : '—');
    if (elements.status !== row.status) {
      elements.status = row.status;
      elements.statusIcon.className = `codicon codicon-${STATUS_ICONS[row.status]} status-${row.status}`;
      element.dataset.status = row.status;
    }
    setText(elements.statusText, STATUS_LABELS[row.status]);
    const warnings = row.warnings ?? 0;
    elements.warningBadge.hidden = warnings === 0;
    setText(elements.warningBadge, warnings > 0 ? `⚠ ${warnings}` : '');
    const badgeTitle = row.problem ?? '';
    if (elements.warningBadge.title !== badgeTitle) elements.warningBadge.title = badgeTitle;
    setText(elements.age, row.created ? formatAge(new Date(row.created), now) : '');
  }
}
