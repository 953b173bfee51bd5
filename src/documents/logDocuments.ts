import * as vscode from 'vscode';
import type { CoreBundle } from '../coreBundle';
import type { KubeClient } from '../kube/client';
import type { PodLogTarget } from '../kube/podLogs';
import type { Logger } from '../process/log';
import { redactedMessage } from '../process/redact';
import type { VClusterRef } from '../vcluster/identity';

export const LOG_SCHEME = 'vcluster-log';

/**
 * A pod pair's two pods: the virtual one (read through the virtual cluster, as `kubectl logs` in
 * the vCluster reads it) and the host pod the syncer made of it.
 */
export interface PodPairAddress {
  vcluster: VClusterRef;
  virtualNamespace: string;
  virtualPod: string;
  hostNamespace: string;
  hostPod: string;
}

/**
 * Which log a tab shows: a container of a pod on a host context — a vCluster's control plane, or
 * one side of a pod pair (`pair` set; `side` says which of its pods `namespace`/`pod` are).
 */
export interface LogAddress extends PodLogTarget {
  hostContext: string;
  pair?: PodPairAddress;
  side?: 'virtual' | 'host';
}

/** The address of one side of a pod pair's log. */
export function podPairLog(pair: PodPairAddress, side: 'virtual' | 'host', container: string, previous: boolean): LogAddress {
  return {
    hostContext: pair.vcluster.hostContext, pair, side, container, ...(previous ? { previous } : {}),
    namespace: side === 'virtual' ? pair.virtualNamespace : pair.hostNamespace,
    pod: side === 'virtual' ? pair.virtualPod : pair.hostPod,
  };
}

const PAIR_FIELDS = ['virtualNamespace', 'virtualPod', 'hostNamespace', 'hostPod'] as const;

/**
 * vcluster-log:/<namespace>/<pod>/<container>[.previous].log?context=<host context>, and for a pod
 * pair's side also side=virtual|host, the vCluster and both pods (so the tab can switch sides).
 */
export function logUri(address: LogAddress): vscode.Uri {
  const file = `${encodeURIComponent(address.container)}${address.previous ? '.previous' : ''}.log`;
  const query = new URLSearchParams({ context: address.hostContext });
  if (address.pair && address.side) {
    query.set('side', address.side);
    query.set('vcluster', address.pair.vcluster.name);
    query.set('vclusterNamespace', address.pair.vcluster.namespace);
    for (const field of PAIR_FIELDS) query.set(field, address.pair[field]);
  }
  return vscode.Uri.from({
    scheme: LOG_SCHEME,
    path: `/${encodeURIComponent(address.namespace)}/${encodeURIComponent(address.pod)}/${file}`,
    query: query.toString(),
  });
}

export function parseLogUri(uri: vscode.Uri): LogAddress | undefined {
  const match = /^\/([^/]+)\/([^/]+)\/([^/]+?)(\.previous)?\.log$/.exec(uri.path);
  const query = new URLSearchParams(uri.query);
  const hostContext = query.get('context');
  if (!match || !hostContext) return undefined;
  const address: LogAddress = {
    hostContext,
    namespace: decodeURIComponent(match[1]!),
    pod: decodeURIComponent(match[2]!),
    container: decodeURIComponent(match[3]!),
    ...(match[4] ? { previous: true } : {}),
  };
  const side = query.get('side');
  if (side !== 'virtual' && side !== 'host') return address;
  const vclusterName = query.get('vcluster');
  const vclusterNamespace = query.get('vclusterNamespace');
  const fields = PAIR_FIELDS.map((field) => query.get(field));
  if (!vclusterName || !vclusterNamespace || fields.some((value) => !value)) return undefined;
  const [virtualNamespace, virtualPod, hostNamespace, hostPod] = fields as string[];
  const pair: PodPairAddress = { vcluster: { hostContext, namespace: vclusterNamespace, name: vclusterName }, virtualNamespace: virtualNamespace!, virtualPod: virtualPod!, hostNamespace: hostNamespace!, hostPod: hostPod! };
  // The path must name the side's own pod: a link cannot make a "virtual" tab read another pod.
  const expected = podPairLog(pair, side, address.container, address.previous === true);
  return expected.namespace === address.namespace && expected.pod === address.pod ? expected : undefined;
}

export interface LogDocumentsOptions {
  loadCoreBundle: () => Promise<CoreBundle>;
  hostClient: (hostContext: string) => Promise<KubeClient>;
  /** The virtual cluster's client when it is connected (a pod pair's virtual side). */
  virtualClient: (vcluster: VClusterRef) => Promise<KubeClient | undefined>;
  logger: Logger;
}

interface LogSession {
  controller: AbortController;
  buffer: InstanceType<CoreBundle['LogBuffer']> | undefined;
  notes: string[];
  changeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Tabs of this log keep showing its end; false once the reader scrolls up, true again at the end. */
  following: boolean;
  /** The line count when the tab last settled: a visible-range change with another count is the log growing, not the reader scrolling. */
  settledLineCount: number;
  /** The stream ended for good (a previous run read, the pod gone, an error). */
  ended: boolean;
}

/** How often an open log tab is redrawn at most while lines pour in. */
const REDRAW_MS = 150;

/**
 * Log tabs: each open vcluster-log document follows its container's log (the last 10,000 lines)
 * until its tab closes. A tab scrolled to the end stays at the end as lines arrive; one the user
 * scrolled up stays where it is.
 */
export class LogDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changes.event;
  private readonly sessions = new Map<string, LogSession>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly options: LogDocumentsOptions) {
    this.subscriptions = [
      this.changes,
      // A closed tab stops its stream at once (the document itself may linger a while).
      vscode.window.tabGroups.onDidChangeTabs((event) => {
        for (const tab of event.closed) {
          const input = tab.input;
          if (input instanceof vscode.TabInputText && input.uri.scheme === LOG_SCHEME && !this.isOpenInAnyTab(input.uri)) this.stop(input.uri);
        }
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.scheme === LOG_SCHEME) this.stop(document.uri);
      }),
      // A log opens at its end, as `kubectl logs -f` shows it, and stays there as lines arrive
      // (after VS Code has applied them, hence the document's own change event) — unless the
      // reader scrolled up to read; back at the end, it follows again.
      vscode.workspace.onDidChangeTextDocument((event) => {
        const session = event.document.uri.scheme === LOG_SCHEME ? this.sessions.get(event.document.uri.toString()) : undefined;
        if (!session) return;
        session.settledLineCount = event.document.lineCount;
        if (!session.following) return;
        for (const editor of vscode.window.visibleTextEditors) if (editor.document === event.document) revealEnd(editor);
      }),
      vscode.window.onDidChangeVisibleTextEditors((editors) => {
        for (const editor of editors) if (editor.document.uri.scheme === LOG_SCHEME && this.sessions.get(editor.document.uri.toString())?.following) revealEnd(editor);
      }),
      vscode.window.onDidChangeTextEditorVisibleRanges((event) => {
        const session = event.textEditor.document.uri.scheme === LOG_SCHEME ? this.sessions.get(event.textEditor.document.uri.toString()) : undefined;
        if (session && event.textEditor.document.lineCount === session.settledLineCount) session.following = isAtEnd(event.textEditor);
      }),
    ];
  }

  /** Whether a log is being followed now (tests and the status of a tab). */
  isStreaming(uri: vscode.Uri): boolean {
    return this.sessions.has(uri.toString());
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const address = parseLogUri(uri);
    if (!address) return 'This is not a log the vCluster extension can read.';
    let session = this.sessions.get(uri.toString());
    if (!session) session = this.start(uri, address);
    if (!session.buffer) return ['[reading the log…]', ...session.notes].join('\n');
    // A container that has written nothing yet: say so rather than show an empty tab.
    if (session.buffer.lineCount === 0 && session.buffer.dropped === 0) {
      if (session.notes.length > 0) return session.notes.join('\n');
      return session.ended ? '[the container wrote nothing]' : '[no lines yet: they appear here as the container writes them]';
    }
    return session.buffer.text(session.notes);
  }

  dispose(): void {
    for (const key of [...this.sessions.keys()]) this.stop(vscode.Uri.parse(key));
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private start(uri: vscode.Uri, address: LogAddress): LogSession {
    const session: LogSession = { controller: new AbortController(), buffer: undefined, notes: [], changeTimer: undefined, following: true, settledLineCount: -1, ended: false };
    this.sessions.set(uri.toString(), session);
    const where = address.side === 'virtual' ? ` in vCluster ${address.pair!.vcluster.name}` : '';
    const label = `${address.namespace}/${address.pod} ${address.container}${address.previous ? ' (previous)' : ''}${where}`;
    void (async () => {
      try {
        const core = await this.options.loadCoreBundle();
        const client = address.side === 'virtual' ? await this.options.virtualClient(address.pair!.vcluster) : await this.options.hostClient(address.hostContext);
        if (!client) throw new Error(`vCluster ${address.pair!.vcluster.name} is not connected: connect to it to read its pods' logs (the host pod's log is one click away: "Show Other Side's Log")`);
        session.buffer = new core.LogBuffer();
        this.options.logger.info(`[logs] following ${label} on ${address.hostContext}`);
        await core.followPodLog(client, address, {
          lines: (lines) => {
            // Notes about the stream belong where they happened, between lines.
            if (session.notes.length > 0) session.buffer!.append(session.notes.splice(0));
            session.buffer!.append(lines);
            this.scheduleChange(uri, session);
          },
          note: (message) => {
            session.notes.push(message);
            this.options.logger.info(`[logs] ${label}: ${message}`);
            this.scheduleChange(uri, session);
          },
        }, session.controller.signal);
        if (!session.controller.signal.aborted && address.previous) session.notes.push('[end of the previous run]');
        session.ended = true;
      } catch (error) {
        if (session.controller.signal.aborted) return;
        session.ended = true;
        const message = redactedMessage(error);
        session.notes.push(`[the log cannot be read: ${message}]`);
        this.options.logger.warn(`[logs] ${label}: ${message}`);
        void vscode.window.showWarningMessage(`The log of ${label} cannot be read: ${message.split('\n')[0]}`);
      }
      this.scheduleChange(uri, session);
    })();
    return session;
  }

  private stop(uri: vscode.Uri): void {
    const session = this.sessions.get(uri.toString());
    if (!session) return;
    this.sessions.delete(uri.toString());
    session.controller.abort();
    clearTimeout(session.changeTimer);
    this.options.logger.info(`[logs] stopped following ${uri.path}`);
  }

  private isOpenInAnyTab(uri: vscode.Uri): boolean {
    return vscode.window.tabGroups.all.some((group) => group.tabs.some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === uri.toString()));
  }

  private scheduleChange(uri: vscode.Uri, session: LogSession): void {
    if (session.changeTimer) return;
    session.changeTimer = setTimeout(() => {
      session.changeTimer = undefined;
      if (this.sessions.get(uri.toString()) === session) this.changes.fire(uri);
    }, REDRAW_MS);
  }
}

function revealEnd(editor: vscode.TextEditor): void {
  const last = editor.document.lineCount - 1;
  editor.revealRange(new vscode.Range(last, 0, last, 0), vscode.TextEditorRevealType.Default);
}

function isAtEnd(editor: vscode.TextEditor): boolean {
  const lastVisible = editor.visibleRanges.at(-1)?.end.line ?? 0;
  return lastVisible >= editor.document.lineCount - 2;
}
