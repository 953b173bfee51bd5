import { PROTOCOL_VERSION, type HostMessage, type PairDetail, type SourceState, type VClusterIdentity } from '../src/shared/protocol';
import { DetailView } from './detailView';
import { h, icon, oncePerFrame } from './dom';
import { PairTable, type TableFilter } from './pairTable';
import { parseSavedState, type SavedState } from './savedState';
import { PairTableView } from './pairTableView';
import { Toolbar } from './toolbar';
import type { VsCodeApi } from './vscodeApi';

/** Holding an arrow key must not send a read per row: the detail follows after this pause. */
const DETAIL_DELAY_MS = 120;
/** Ages in the table move on; visible rows are redrawn this often. */
const AGE_REFRESH_MS = 30_000;

/**
 * The inspector: toolbar, summary bar, table and detail pane, wired to the extension through the
 * protocol. Keeps its state (filters, sort, selection, scroll) with setState, so hiding the
 * panel and showing it again, or reloading the window, puts everything back.
 */
export class InspectorApp {
  private readonly model = new PairTable();
  private readonly table: PairTableView;
  private readonly toolbar: Toolbar;
  private readonly detail: DetailView;
  private readonly banner: HTMLElement;
  private readonly heading: HTMLElement;
  private state: SavedState;
  private vcluster: VClusterIdentity | undefined;
  private firstSnapshot = true;
  private detailTimer: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private shownDetail: PairDetail | undefined;

  constructor(root: HTMLElement, private readonly api: VsCodeApi) {
    this.state = parseSavedState(api.getState());
    this.model.setFilter(this.state.filter);
    this.model.setSort(this.state.sort);
    this.toolbar = new Toolbar(this.state.filter, { onFilter: (filter) => this.filterChanged(filter) });
    this.table = new PairTableView({
      onSelect: (id) => this.select(id, { reveal: true }),
      onActivate: (id) => this.activate(id),
      onSort: (column) => {
        const descending = this.state.sort.column === column ? !this.state.sort.descending : false;
        this.state = { ...this.state, sort: { column, descending } };
        this.model.setSort(this.state.sort);
        this.table.setSort(this.state.sort);
        this.render();
        this.save();
      },
      onScroll: (scrollTop) => {
        this.state = { ...this.state, scrollTop };
        this.save(250);
      },
    });
    this.table.setSort(this.state.sort);
    this.detail = new DetailView({
      openYaml: (id, side) => api.postMessage({ type: 'openYaml', id, side }),
      compare: (id) => api.postMessage({ type: 'compareSides', id }),
      reveal: (id) => api.postMessage({ type: 'revealInTree', id }),
      whyNotSynced: (id) => api.postMessage({ type: 'whyNotSynced', id }),
      showLogs: (id, side) => api.postMessage({ type: 'showLogs', id, side }),
    });
    this.heading = h('h1', { class: 'title' }, root.dataset.title ?? 'Mapping');
    this.banner = h('div', { class: 'banner', role: 'status' });
    const split = h('vscode-split-layout', { class: 'split', 'initial-handle-position': '58%', 'min-start': '240px', 'min-end': '200px' },
      h('div', { slot: 'start', class: 'pane' }, this.table.element),
      h('div', { slot: 'end', class: 'pane' }, this.detail.element));
    root.replaceChildren(h('div', { class: 'inspector' }, h('div', { class: 'top' }, this.heading, this.toolbar.element), this.toolbar.summary, this.banner, split));
    this.showSource({ state: 'loading' });
    document.addEventListener('keydown', (event) => {
      if ((event.key === 'f' && (event.ctrlKey || event.metaKey)) || (event.key === '/' && !isTyping(event))) {
        event.preventDefault();
        this.toolbar.focusSearch();
      }
    });
    setInterval(() => this.table.refresh(), AGE_REFRESH_MS);
  }

  handle(message: HostMessage): void {
    switch (message.type) {
      case 'snapshot':
        this.vcluster = message.vcluster;
        this.heading.textContent = `${message.vcluster.name}`;
        this.heading.title = `vCluster ${message.vcluster.name}, namespace ${message.vcluster.namespace}, host ${message.vcluster.hostContext}`;
        this.model.replaceAll(message.rows);
        this.showSource(message.source);
        this.renderNow();
        if (this.firstSnapshot) {
          this.firstSnapshot = false;
          this.table.scrollTop = this.state.scrollTop;
        }
        if (message.focusId) this.focus(message.focusId);
        else if (this.state.selectedId) this.select(this.state.selectedId, { reveal: false, keepDetail: this.shownDetail?.id === this.state.selectedId });
        this.save();
        return;
      case 'update': {
        this.model.applyUpdate(message.upserts, message.removedIds);
        this.showSource(message.source);
        this.render();
        const selected = this.state.selectedId;
        if (selected && message.removedIds.includes(selected)) this.detail.showError(undefined, 'This pair is gone: its objects were deleted.');
        else if (selected && message.upserts.some((row) => row.id === selected)) this.requestDetail(selected, true);
        return;
      }
      case 'focusPair':
        this.focus(message.id);
        return;
      case 'showGroup':
        // Opened from a namespace or kind in the tree: exactly that group, whatever was filtered before.
        this.filterChanged({ text: '', kind: message.kind ?? '', namespace: message.namespace, statuses: [] }, true);
        this.table.focus();
        return;
      case 'detail':
        if (message.detail.id !== this.state.selectedId) return;
        this.shownDetail = message.detail;
        this.detail.show(this.model.get(message.detail.id) ?? { id: message.detail.id, kind: message.detail.kind, status: message.detail.status }, message.detail);
        return;
      case 'detailError':
        if (message.id === this.state.selectedId) this.detail.showError(this.model.get(message.id), message.message);
        return;
    }
  }

  /** Announces the app to the extension, which answers with a snapshot. */
  start(): void {
    this.api.postMessage({ type: 'ready', protocolVersion: PROTOCOL_VERSION });
  }

  /** Selects a pair asked for from outside; clears filters that would hide it. */
  private focus(id: string): void {
    if (!this.model.get(id)) return;
    if (!this.model.view().rows.some((row) => row.id === id)) this.filterChanged({ text: '', kind: '', namespace: '', statuses: [] }, true);
    this.select(id, { reveal: true });
    this.table.focus();
  }

  private filterChanged(filter: TableFilter, updateToolbar = false): void {
    this.state = { ...this.state, filter };
    this.model.setFilter(filter);
    if (updateToolbar) this.toolbar.setFilter(filter);
    // Synchronously: a keystroke's result is on screen in the same frame.
    this.renderNow();
    this.save(150);
  }

  private select(id: string, options: { reveal: boolean; keepDetail?: boolean }): void {
    const row = this.model.get(id);
    if (!row) return;
    const changed = this.state.selectedId !== id;
    this.state = { ...this.state, selectedId: id };
    this.table.setSelected(id, { reveal: options.reveal });
    if (changed || !options.keepDetail) {
      this.shownDetail = undefined;
      this.detail.showLoading(row);
      this.requestDetail(id, false);
    }
    this.save();
  }

  private activate(id: string): void {
    const row = this.model.get(id);
    if (!row) return;
    const side = row.virtualName && row.status !== 'orphaned' ? 'virtual' : 'host';
    this.api.postMessage({ type: 'openYaml', id, side });
  }

  private requestDetail(id: string, quiet: boolean): void {
    clearTimeout(this.detailTimer);
    this.detailTimer = setTimeout(() => this.api.postMessage({ type: 'selectPair', id }), quiet ? DETAIL_DELAY_MS * 4 : DETAIL_DELAY_MS);
  }

  private showSource(source: SourceState): void {
    const show = (tone: string, codicon: string, text: string) => this.banner.replaceChildren(h('span', { class: `banner-${tone}` }, icon(codicon), ` ${text}`));
    if (source.state === 'loading') show('info', 'loading codicon-modifier-spin', 'Reading the syncer\'s objects…');
    else if (source.state === 'error') show('warning', 'warning', source.message);
    else if (!source.virtualReachable) {
      show(source.note ? 'warning' : 'info', source.note ? 'warning' : 'info', source.note
        ? `Host side only: the virtual cluster did not answer (${source.note})`
        : 'Host side only: connect to the vCluster to see virtual-only and pending objects.');
    } else this.banner.replaceChildren();
    this.banner.hidden = this.banner.childElementCount === 0;
  }

  /** Coalesces live updates into one redraw per frame. */
  private readonly render = oncePerFrame(() => this.renderNow());

  private renderNow(): void {
    const view = this.model.view();
    this.table.setRows(view.rows, this.state.selectedId);
    this.toolbar.setCounts(view);
    this.toolbar.setChoices(this.model.kinds(), this.model.groups());
    // The table's empty state says whether nothing exists or the filters hide everything.
    this.table.element.dataset.empty = view.rows.length > 0 ? '' : view.total === 0 ? 'none' : 'filtered';
  }

  private save(delayMs = 0): void {
    clearTimeout(this.saveTimer);
    const write = () => this.api.setState({ ...this.state, ...(this.vcluster ? { vcluster: this.vcluster } : {}) });
    if (delayMs === 0) write();
    else this.saveTimer = setTimeout(write, delayMs);
  }
}

function isTyping(event: KeyboardEvent): boolean {
  const target = event.composedPath()[0] as HTMLElement | undefined;
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target?.isContentEditable === true;
}
