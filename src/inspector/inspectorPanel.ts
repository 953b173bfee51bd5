import * as vscode from 'vscode';
import { DisposableStore } from '../disposables';
import type { Logger } from '../process/log';
import { printableLine } from '../process/redact';
import {
  parseWebviewMessage, PROTOCOL_VERSION, type HostMessage, type ObjectSideName, type SourceState, type WebviewMessage,
} from '../shared/protocol';
import type { MappingSources } from '../vcluster/mapping/mappingSources';
import type { VClusterSummary } from '../vcluster/discovery/discoverVClusters';
import type { MappingPair } from '../vcluster/mapping/mapping';
import type { MappingSource } from '../vcluster/mapping/mappingSource';
import { inspectorHtml } from './inspectorHtml';
import { rowChanges, toPairRow } from './pairRows';
import { type VClusterRef, vclusterKey } from '../vcluster/identity';
import type { PairComparisonDetail } from '../vcluster/compare/comparisonModel';
import { toPairDetailMessage } from './pairDetailMessage';

export const INSPECTOR_VIEW_TYPE = 'vcluster.inspector';

/** What a panel needs from the rest of the extension; the composition root provides it. */
export interface InspectorServices {
  extensionUri: vscode.Uri;
  sources: MappingSources;
  /** The vCluster as discovery knows it now; undefined when it is gone (or its host is unreachable). */
  findVCluster: (ref: VClusterRef) => VClusterSummary | undefined;
  /** Whether discovery of this host has not finished yet (after a reload, say): not found means "not yet". */
  discoveryPending: (hostContext: string) => boolean;
  /** Starts discovery when nothing has run it yet (a panel restored before the view was shown). */
  discover: () => void;
  /** Fired when discovery or connections change: the panel re-attaches to its vCluster's source. */
  onDidChangeVClusters: (listener: () => void) => { dispose(): void };
  readDetail: (vcluster: VClusterSummary, pair: MappingPair, signal: AbortSignal) => Promise<PairComparisonDetail>;
  openYaml: (vcluster: VClusterSummary, pair: MappingPair, side: ObjectSideName) => Thenable<unknown>;
  compareSides: (vcluster: VClusterSummary, pair: MappingPair) => Thenable<unknown>;
  revealInTree: (vcluster: VClusterSummary, pair: MappingPair) => Thenable<unknown>;
  whyNotSynced: (vcluster: VClusterSummary, pair: MappingPair) => Thenable<unknown>;
  showLogs: (vcluster: VClusterSummary, pair: MappingPair, side: ObjectSideName) => Thenable<unknown>;
  logger: Logger;
}

/** What a panel shows when it opens or comes forward: one pair selected, or one group of the tree. */
export type InspectorFocus = { pairId: string } | { namespace: string; kind?: string };

export function inspectorTitle(ref: VClusterRef): string {
  return `Mapping: ${ref.name}`;
}

/**
 * One inspector panel, for one vCluster: sends the pairs of the vCluster's live MappingSource (the
 * tree's own, so there is one set of watches) as a snapshot, then as row changes; keeps the
 * watches running while it is visible; answers the webview's requests. The webview's own state
 * (filters, selection, scroll) lives in the webview (getState/setState), so hiding the panel,
 * which discards its page, loses nothing.
 */
export class InspectorPanel extends DisposableStore {
  private ready = false;
  private pendingFocus: InspectorFocus | undefined;
  private hold: { dispose(): void } | undefined;
  private detailRequest: AbortController | undefined;
  private attaching: Promise<void> | undefined;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(readonly panel: vscode.WebviewPanel, readonly vcluster: VClusterRef, private readonly services: InspectorServices, focus?: InspectorFocus) {
    super();
    this.pendingFocus = focus;
    const bundleRoot = vscode.Uri.joinPath(services.extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [bundleRoot] };
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'vcluster.svg');
    panel.webview.html = inspectorHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(bundleRoot, 'main.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(bundleRoot, 'main.css')).toString(),
      codiconUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(bundleRoot, 'codicons', 'codicon.css')).toString(),
      title: inspectorTitle(vcluster),
    });
    this.register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this.register(panel.onDidChangeViewState(() => this.visibilityChanged()));
    this.register(panel.onDidDispose(() => this.dispose()));
    this.register(services.sources.onDidChange((changed, changedIds) => {
      if (vclusterKey(changed) === vclusterKey(this.vcluster)) this.modelChanged(changedIds);
    }));
    this.register(services.onDidChangeVClusters(() => void this.attach()));
    this.register({ dispose: () => this.releaseHold() });
    this.register({ dispose: () => this.detailRequest?.abort() });
    this.register(this.disposeEmitter);
    this.visibilityChanged();
  }

  private closed = false;

  override dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.disposeEmitter.fire();
    super.dispose();
    this.panel.dispose();
  }

  /** Brings the panel forward; with a focus, selects that pair or shows that group once the rows are there. */
  show(focus?: InspectorFocus): void {
    this.panel.reveal(undefined, false);
    if (!focus) return;
    if (this.ready) this.post(focusMessage(focus));
    else this.pendingFocus = focus;
  }

  private get source(): MappingSource | undefined {
    const summary = this.services.findVCluster(this.vcluster);
    return summary ? this.services.sources.existing(summary) : undefined;
  }

  private visibilityChanged(): void {
    if (this.panel.visible) {
      void this.attach();
    } else {
      // A hidden panel's page is discarded; it says `ready` again when shown.
      this.ready = false;
      this.releaseHold();
    }
  }

  /** Makes sure the vCluster's source exists and keeps running while the panel is visible. */
  private attach(): Promise<void> {
    this.attaching ??= (async () => {
      try {
        const summary = this.services.findVCluster(this.vcluster);
        if (!summary) {
          if (this.services.discoveryPending(this.vcluster.hostContext)) this.services.discover();
          return;
        }
        if (!this.panel.visible) return;
        this.hold ??= this.services.sources.hold(summary);
        await this.services.sources.sourceFor(summary);
      } catch (error) {
        this.services.logger.warn(`inspector of ${vclusterKey(this.vcluster)}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.attaching = undefined;
      }
    })();
    return this.attaching;
  }

  private releaseHold(): void {
    this.hold?.dispose();
    this.hold = undefined;
  }

  private sourceState(): SourceState {
    const summary = this.services.findVCluster(this.vcluster);
    if (!summary && this.services.discoveryPending(this.vcluster.hostContext)) return { state: 'loading' };
    if (!summary) {
      return { state: 'error', message: `vCluster ${this.vcluster.name} (namespace ${this.vcluster.namespace}) is not found on ${this.vcluster.hostContext}: it was deleted, or the host cannot be reached. The last known pairs are shown.` };
    }
    const status = this.source?.status;
    if (!status || status.state === 'loading') return { state: 'loading' };
    if (status.state === 'error') return { state: 'error', message: status.message };
    return { state: 'ready', virtualReachable: status.virtualReachable, ...(status.virtualProblem ? { note: status.virtualProblem } : {}) };
  }

  private sendSnapshot(): void {
    const pairs = this.source?.pairs ?? [];
    const focus = this.pendingFocus;
    this.pendingFocus = undefined;
    const focusId = focus && 'pairId' in focus ? focus.pairId : undefined;
    this.post({
      type: 'snapshot', protocolVersion: PROTOCOL_VERSION, vcluster: { ...this.vcluster }, source: this.sourceState(),
      rows: pairs.map(toPairRow), ...(focusId ? { focusId } : {}),
    });
    // A group is shown once the rows are there (the filters offer only the groups present).
    if (focus && !('pairId' in focus)) this.post(focusMessage(focus));
  }

  private modelChanged(changedIds: ReadonlySet<string> | undefined): void {
    if (!this.ready) return;
    const source = this.source;
    if (!changedIds || !source) {
      // A new source, a status change or a vanished vCluster: the whole picture again.
      this.sendSnapshot();
      if (!source) void this.attach();
      return;
    }
    const { upserts, removedIds } = rowChanges(source.pairs, changedIds);
    this.post({ type: 'update', source: this.sourceState(), upserts, removedIds });
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.services.logger.warn(`inspector of ${vclusterKey(this.vcluster)}: ignored a message that is not part of the protocol`);
      return;
    }
    void this.handle(message).catch((error: unknown) => {
      this.services.logger.error(`inspector of ${vclusterKey(this.vcluster)}: ${message.type} failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        if (message.protocolVersion !== PROTOCOL_VERSION) {
          this.services.logger.warn(`inspector: webview speaks protocol ${message.protocolVersion}, the extension ${PROTOCOL_VERSION}`);
        }
        this.ready = true;
        await this.attach();
        this.sendSnapshot();
        return;
      case 'reportError':
        this.services.logger.error(`inspector webview: ${printableLine(message.message)}`);
        return;
      case 'selectPair':
        return this.sendDetail(message.id);
      case 'openYaml':
      case 'compareSides':
      case 'revealInTree':
      case 'whyNotSynced':
      case 'showLogs': {
        const target = this.pairById(message.id);
        if (!target) {
          void vscode.window.showInformationMessage('That pair is gone: the object was deleted since the table was drawn.');
          return;
        }
        if (message.type === 'openYaml') await this.services.openYaml(target.vcluster, target.pair, message.side);
        else if (message.type === 'compareSides') await this.services.compareSides(target.vcluster, target.pair);
        else if (message.type === 'whyNotSynced') await this.services.whyNotSynced(target.vcluster, target.pair);
        else if (message.type === 'showLogs') await this.services.showLogs(target.vcluster, target.pair, message.side);
        else await this.services.revealInTree(target.vcluster, target.pair);
        return;
      }
    }
  }

  private pairById(id: string): { vcluster: VClusterSummary; pair: MappingPair } | undefined {
    const vcluster = this.services.findVCluster(this.vcluster);
    const pair = vcluster ? this.services.sources.existing(vcluster)?.pairs.find((candidate) => candidate.id === id) : undefined;
    return vcluster && pair ? { vcluster, pair } : undefined;
  }

  /** Reads both sides of the selected pair; a newer selection cancels the read in flight. */
  private async sendDetail(id: string): Promise<void> {
    this.detailRequest?.abort();
    const request = new AbortController();
    this.detailRequest = request;
    const target = this.pairById(id);
    if (!target) {
      this.post({ type: 'detailError', id, message: 'This pair is no longer in the mapping (the object was deleted).' });
      return;
    }
    try {
      const detail = await this.services.readDetail(target.vcluster, target.pair, request.signal);
      if (!request.signal.aborted) this.post({ type: 'detail', detail: toPairDetailMessage(detail) });
    } catch (error) {
      if (!request.signal.aborted) this.post({ type: 'detailError', id, message: error instanceof Error ? error.message : String(error) });
    }
  }

  private post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
  }
}

function focusMessage(focus: InspectorFocus): HostMessage {
  return 'pairId' in focus ? { type: 'focusPair', id: focus.pairId } : { type: 'showGroup', namespace: focus.namespace, ...(focus.kind ? { kind: focus.kind } : {}) };
}
