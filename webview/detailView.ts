import { rowHasHostObject, type DiffLine, type EventRow, type MetadataChange, type MetadataRow, type ObjectSideName, type PairDetail, type PairRow } from '../src/shared/protocol';
import { formatAge } from '../src/shared/format';
import { h, icon } from './dom';
import { STATUS_ICONS, STATUS_LABELS } from './pairTableView';

/**
 * The selected pair in depth: where each side lives (with what the syncer renamed highlighted),
 * labels and annotations side by side with the syncer's changes marked, and a diff of everything
 * else (spec, data) virtual → host. Actions: open either side's YAML, compare them in VS Code's
 * diff editor, reveal the pair in the tree.
 */

export interface DetailHandlers {
  openYaml(id: string, side: ObjectSideName): void;
  compare(id: string): void;
  reveal(id: string): void;
  whyNotSynced(id: string): void;
  showLogs(id: string, side: ObjectSideName): void;
}

const CHANGE_LABELS: Record<MetadataChange, string> = {
  same: '',
  marker: 'added by the syncer',
  hostOnly: 'host only',
  virtualOnly: 'not copied to the host',
  rewritten: 'rewritten',
};

export class DetailView {
  readonly element: HTMLElement;

  constructor(private readonly handlers: DetailHandlers) {
    this.element = h('section', { class: 'detail', 'aria-label': 'Selected pair', 'aria-live': 'polite' });
    this.showNothing();
  }

  showNothing(): void {
    this.element.replaceChildren(h('p', { class: 'placeholder' }, 'Select a pair to see what the syncer changed.'));
  }

  showLoading(row: PairRow): void {
    this.element.replaceChildren(this.heading(row), this.actions(row), h('p', { class: 'placeholder' }, h('vscode-progress-ring', { class: 'inline-ring' }), 'Reading both sides…'));
  }

  showError(row: PairRow | undefined, message: string): void {
    this.element.replaceChildren(...(row ? [this.heading(row), this.actions(row)] : []), h('p', { class: 'error' }, icon('error'), ` ${message}`));
  }

  show(row: PairRow, detail: PairDetail): void {
    const sections: HTMLElement[] = [this.heading(row), this.actions(row), this.names(detail)];
    if (detail.notes.length > 0) sections.push(h('ul', { class: 'notes' }, ...detail.notes.map((note) => h('li', {}, icon('info'), ` ${note}`))));
    sections.push(this.events(detail.events, detail.eventNotes), this.metadata('Labels', detail.labels), this.metadata('Annotations', detail.annotations), this.body(detail.body));
    this.element.replaceChildren(...sections);
  }

  private heading(row: PairRow): HTMLElement {
    return h('header', { class: 'detail-heading' },
      h('h2', {}, `${row.kind} `, h('span', { class: 'detail-name' }, row.virtualName ?? row.hostName ?? '')),
      h('span', { class: `status-chip status-${row.status}` }, icon(STATUS_ICONS[row.status]), ` ${STATUS_LABELS[row.status]}`));
  }

  private actions(row: PairRow): HTMLElement {
    const button = (label: string, codicon: string, enabled: boolean, run: () => void) => {
      const element = h('vscode-button', { secondary: '', icon: codicon, ...(enabled ? {} : { disabled: '' }) }, label);
      element.addEventListener('click', () => {
        if (!element.hasAttribute('disabled')) run();
      });
      return element;
    };
    const hasVirtual = row.virtualName !== undefined && row.status !== 'orphaned';
    const hasHost = rowHasHostObject(row);
    const isPod = row.kind === 'Pod';
    return h('div', { class: 'detail-actions' },
      button('Virtual YAML', 'file-code', hasVirtual, () => this.handlers.openYaml(row.id, 'virtual')),
      button('Host YAML', 'server', hasHost, () => this.handlers.openYaml(row.id, 'host')),
      button('Compare', 'diff', hasVirtual && hasHost, () => this.handlers.compare(row.id)),
      ...(isPod ? [
        button('Logs', 'output', hasVirtual, () => this.handlers.showLogs(row.id, 'virtual')),
        button('Host Logs', 'output', hasHost, () => this.handlers.showLogs(row.id, 'host')),
      ] : []),
      ...(row.status === 'pending' || row.status === 'error' ? [button('Why Not Synced?', 'question', true, () => this.handlers.whyNotSynced(row.id))] : []),
      button('Reveal in Tree', 'list-tree', true, () => this.handlers.reveal(row.id)));
  }

  private names(detail: PairDetail): HTMLElement {
    const line = (label: string, virtual: string | undefined, host: string | undefined) => {
      const changed = virtual !== undefined && host !== undefined && virtual !== host;
      return h('tr', { class: changed ? 'change-rewritten' : '' },
        h('th', { scope: 'row' }, label),
        h('td', {}, virtual ?? '—'),
        h('td', {}, host ?? '—', changed ? h('span', { class: 'change-tag' }, 'rewritten') : undefined));
    };
    return h('div', { class: 'detail-section' },
      h('table', { class: 'side-by-side names' },
        h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', { scope: 'col' }, 'Virtual'), h('th', { scope: 'col' }, 'Host'))),
        h('tbody', {},
          line('Namespace', detail.virtual ? detail.virtual.namespace ?? '(cluster-scoped)' : undefined, detail.host ? detail.host.namespace ?? '(cluster-scoped)' : undefined),
          line('Name', detail.virtual?.name, detail.host?.name))));
  }

  /** Both sides' events, newest first, as `kubectl describe` lists them; warnings stand out. */
  private events(events: readonly EventRow[], notes: readonly string[]): HTMLElement {
    const warnings = events.filter((event) => event.type === 'Warning').length;
    const summary = events.length === 0 ? 'none' : `${events.length}${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`;
    const rows = events.map((event) => h('tr', { class: event.type === 'Warning' ? 'event-warning' : 'event-normal' },
      h('td', { class: 'event-time', title: event.lastSeen ?? '' }, event.lastSeen ? formatAge(new Date(event.lastSeen), Date.now()) : '—'),
      h('td', {}, event.side === 'virtual' ? 'Virtual' : 'Host'),
      h('td', {}, event.type === 'Warning' ? icon('warning') : undefined, ` ${event.type}`),
      h('td', {}, event.reason),
      h('td', { class: 'event-message' }, event.message),
      h('td', {}, event.count > 1 ? `×${event.count}` : ''),
      h('td', { class: 'muted' }, event.source ?? '')));
    return h('details', { class: 'detail-section events', open: '' },
      h('summary', {}, h('h3', {}, 'Events'), h('span', { class: 'muted' }, ` ${summary}`)),
      ...notes.map((note) => h('p', { class: 'muted' }, icon('info'), ` ${note}`)),
      events.length === 0 ? h('p', { class: 'muted' }, 'No events on either side (the API server keeps them about an hour).') : h('table', { class: 'events-table' },
        h('thead', {}, h('tr', {}, ...['Last seen', 'Side', 'Type', 'Reason', 'Message', 'Count', 'From'].map((title) => h('th', { scope: 'col' }, title)))),
        h('tbody', {}, ...rows)));
  }

  private metadata(title: string, rows: readonly MetadataRow[]): HTMLElement {
    const changed = rows.filter((row) => row.change !== 'same').length;
    const summary = rows.length === 0 ? 'none' : changed === 0 ? `${rows.length}, identical` : `${rows.length}, ${changed} changed by the syncer or the host`;
    const body = rows.map((row) => h('tr', { class: `change-${row.change}`, 'data-key': row.key },
      h('th', { scope: 'row' }, row.key),
      h('td', {}, row.virtual ?? ''),
      h('td', {}, row.host ?? '', CHANGE_LABELS[row.change] ? h('span', { class: 'change-tag' }, CHANGE_LABELS[row.change]) : undefined)));
    return h('details', { class: 'detail-section', open: '' },
      h('summary', {}, h('h3', {}, title), h('span', { class: 'muted' }, ` ${summary}`)),
      rows.length === 0 ? h('p', { class: 'muted' }, `No ${title.toLowerCase()} on either side.`) : h('table', { class: 'side-by-side metadata' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Key'), h('th', { scope: 'col' }, 'Virtual'), h('th', { scope: 'col' }, 'Host'))),
        h('tbody', {}, ...body)));
  }

  private body(lines: readonly DiffLine[]): HTMLElement {
    const changed = lines.some((line) => line.op === 'added' || line.op === 'removed');
    const rendered = lines.map((line) => {
      if (line.op === 'skip') return h('div', { class: 'diff-line diff-skip' }, `⋯ ${line.count} unchanged line${line.count === 1 ? '' : 's'}`);
      const sign = line.op === 'added' ? '+' : line.op === 'removed' ? '−' : ' ';
      return h('div', { class: `diff-line diff-${line.op}` }, h('span', { class: 'diff-sign', 'aria-hidden': 'true' }, sign), line.text);
    });
    return h('details', { class: 'detail-section', open: '' },
      h('summary', {}, h('h3', {}, 'Spec and data'), h('span', { class: 'muted' }, changed ? ' virtual → host: − virtual only, + host only' : ' identical on both sides')),
      lines.length === 0 ? h('p', { class: 'muted' }, 'Nothing besides metadata.') : h('pre', { class: 'diff', 'aria-label': 'Differences, virtual to host' }, ...rendered));
  }
}
