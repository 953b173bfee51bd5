import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { DisposableStore } from '../disposables';
import type { Logger } from '../process/log';
import type { CoreBundle } from '../coreBundle';
import type { KubeconfigDocument } from '../kube/kubeconfig';
import type { VClusterConnector } from '../vcluster/connect/connector';
import { contextOfChoice, describeChoice, effectiveChoice, NO_WORKSPACE_CHOICE, parseWorkspaceChoice, sameChoice, storedWorkspaceChoice, type WorkspaceChoice } from './workspaceChoice';
import { redactedMessage } from '../process/redact';
import { vclusterKey } from '../vcluster/identity';

/** Where the choice lives in the workspace's state (per window and folder, never shared). */
const STATE_KEY = 'vcluster.workspaceContext';
/** Kubeconfig changes arrive in bursts (kubectl writes, then renames): one rewrite per burst. */
const REWRITE_DEBOUNCE_MS = 300;

export interface WorkspaceContextOptions {
  /** The extension's storage for this workspace; undefined in a window without a folder. */
  storageDir: string | undefined;
  state: vscode.Memento;
  environment: vscode.GlobalEnvironmentVariableCollection;
  /** The user's kubeconfig files, in kubectl's order (setting, else KUBECONFIG, else ~/.kube/config). */
  kubeconfigPaths: () => string[];
  connector: VClusterConnector;
  /** The `vcluster.workspace.context` setting (a team's committed default). */
  configuredChoice: () => unknown;
  /** Which contexts and vClusters exist now; undefined while discovery has not finished. */
  knownContexts: () => ReadonlySet<string> | undefined;
  vclusterExists: (choice: Extract<WorkspaceChoice, { kind: 'vcluster' }>['vcluster']) => boolean | undefined;
  /** The choice a context name stands for: a known vCluster's context, else a host context. */
  choiceForContext: (context: string) => WorkspaceChoice;
  loadCoreBundle: () => Promise<CoreBundle>;
  logger: Logger;
  /** What else follows a switch, by the user's settings (their own kubeconfig, the Kubernetes extension). */
  followers?: {
    used(choice: WorkspaceChoice, path: string, document: KubeconfigDocument, core: CoreBundle): Promise<void>;
    cleared(): Promise<void>;
  };
}

export type WorkspaceContextState =
  | { state: 'none' }
  | { state: 'active'; choice: WorkspaceChoice }
  /** Chosen, but not usable now: the context or vCluster is gone, or connecting failed. */
  | { state: 'broken'; choice: WorkspaceChoice; problem: string; reason: BrokenReason };

/** `gone`: discovery no longer finds the context or vCluster (it may come back); `failed`: using it failed. */
export type BrokenReason = 'gone' | 'failed';

/**
 * This window's own kubeconfig context. The choice is kept in the workspace's state; a file in
 * the workspace's storage (0600) holds the user's kubeconfig as kubectl merges it plus the
 * extension's vCluster contexts, with this window's choice as current-context; this window's
 * terminals and tasks get KUBECONFIG pointing at that file. The user's kubeconfig files are only
 * read. Other windows have their own state, file and terminals.
 */
export class WorkspaceContext extends DisposableStore {
  private current: WorkspaceContextState = { state: 'none' };
  private readonly changeEmitter = this.register(new vscode.EventEmitter<WorkspaceContextState>());
  readonly onDidChange = this.changeEmitter.event;
  private rewriteTimer: NodeJS.Timeout | undefined;
  /** Servers of vCluster contexts this window connected: its own port-forwards, not another window's. */
  private readonly ownServers = new Map<string, string>();
  private file: InstanceType<CoreBundle['WorkspaceKubeconfigFile']> | undefined;
  /** The current-context this window last wrote: anything else in the file was set from a terminal. */
  private lastWrittenContext: string | undefined;
  /** Contexts made or changed with kubectl in this window's terminals, kept in its file. */
  private terminalContexts = new Set<string>();

  constructor(private readonly options: WorkspaceContextOptions) {
    super();
    this.register({ dispose: () => clearTimeout(this.rewriteTimer) });
  }

  get status(): WorkspaceContextState {
    return this.current;
  }

  /** The workspace's kubeconfig file; undefined without a folder (no workspace storage). */
  get kubeconfigPath(): string | undefined {
    return this.options.storageDir ? join(this.options.storageDir, 'kubeconfig') : undefined;
  }

  /** The stored choice, else the team's setting; none when this window's user chose none. */
  savedChoice(): WorkspaceChoice | undefined {
    return effectiveChoice(this.options.state.get<unknown>(STATE_KEY), this.options.configuredChoice());
  }

  /**
   * Whether this window's user chose for it (a context, or none): the team's setting then does
   * not apply. A choice taken from the setting is not stored, so the setting keeps applying.
   */
  hasOwnChoice(): boolean {
    const stored = this.options.state.get<unknown>(STATE_KEY);
    return stored === NO_WORKSPACE_CHOICE || parseWorkspaceChoice(stored) !== undefined;
  }

  /**
   * Makes `choice` this window's context: connects a vCluster when it does not answer, writes the
   * workspace's kubeconfig, points this window's terminals at it, and remembers the choice as the
   * user's own (not with `remember: false`, for a team's setting, which must keep applying).
   * Throws with a message the user can act on; the previous choice stays as it was then.
   */
  async use(choice: WorkspaceChoice, options: { signal?: AbortSignal; remember?: boolean } = {}): Promise<void> {
    const path = this.requirePath();
    if (choice.kind === 'vcluster') await this.ensureConnected(choice.vcluster, options.signal);
    const document = await this.writeFile(path, choice);
    if (options.remember ?? true) await this.options.state.update(STATE_KEY, storedWorkspaceChoice(choice));
    this.applyEnvironment(path, choice);
    this.options.logger.info(`[workspace] this window now uses ${describeChoice(choice)} (context ${contextOfChoice(choice)} in ${path})${this.hasOwnChoice() ? '' : ', as the setting vcluster.workspace.context says'}`);
    this.set({ state: 'active', choice });
    try {
      await this.options.followers?.used(choice, path, document, await this.options.loadCoreBundle());
    } catch (error) {
      // The switch itself worked; what follows it is extra and must not undo it.
      this.options.logger.warn(`[workspace] after switching: ${error instanceof Error ? error.message : String(error)}`);
      void vscode.window.showWarningMessage(`This workspace uses ${describeChoice(choice)}, but a setting's follow-up failed: ${redactedMessage(error)}`);
    }
  }

  /** Back to the default: terminals get the KUBECONFIG they would have without the extension. */
  async clear(): Promise<void> {
    // Stored as a choice of its own, so a team's default setting does not come back on reopen.
    await this.options.state.update(STATE_KEY, NO_WORKSPACE_CHOICE);
    await this.stopUsing();
  }

  /**
   * The team's `vcluster.workspace.context` changed (a pull, an edit of .vscode/settings.json):
   * it applies at once, unless this window's user chose for it.
   */
  async teamSettingChanged(): Promise<void> {
    if (this.hasOwnChoice()) {
      this.options.logger.info('[workspace] the setting vcluster.workspace.context changed; this window keeps the context its user chose');
      return;
    }
    const choice = this.savedChoice();
    if (!choice) {
      if (this.current.state !== 'none') await this.stopUsing();
      return;
    }
    if (this.current.state === 'active' && sameChoice(this.current.choice, choice)) return;
    try {
      await this.use(choice, { remember: false });
    } catch (error) {
      this.markBroken(choice, error);
    }
  }

  private async stopUsing(): Promise<void> {
    this.options.environment.delete('KUBECONFIG');
    this.options.logger.info('[workspace] this window no longer sets a context of its own');
    this.set({ state: 'none' });
    await this.options.followers?.cleared().catch((error: unknown) => this.options.logger.warn(`[workspace] after clearing: ${error instanceof Error ? error.message : String(error)}`));
  }

  /**
   * On start: the saved choice again, re-establishing a vCluster's port-forward (it ended with the
   * window that made it). A choice that cannot be used is kept and shown as broken, with the way
   * out in the status bar; the terminal variable is left off so terminals are not pointed at a
   * file that does not work.
   */
  async restore(): Promise<void> {
    const choice = this.savedChoice();
    if (!choice) {
      // A variable left by an earlier version or a failed clear: nothing chosen, nothing set.
      if (this.options.environment.get('KUBECONFIG')) this.options.environment.delete('KUBECONFIG');
      return;
    }
    try {
      await this.use(choice, { remember: this.hasOwnChoice() });
    } catch (error) {
      this.markBroken(choice, error);
    }
  }

  /**
   * Something the file is made of changed (the user's kubeconfig, a connection): rewrites it
   * with the same choice, and notices when the chosen context or vCluster is gone.
   */
  scheduleRewrite(): void {
    clearTimeout(this.rewriteTimer);
    this.rewriteTimer = setTimeout(() => void this.rewrite(), REWRITE_DEBOUNCE_MS);
  }

  /** Checks the choice against what discovery found (a deleted vCluster, a removed context). */
  checkChoiceStillExists(): void {
    if (this.current.state === 'none') return;
    const { choice } = this.current;
    const gone = choice.kind === 'host'
      ? this.options.knownContexts()?.has(choice.context) === false && !this.terminalContexts.has(choice.context)
      : this.options.vclusterExists(choice.vcluster) === false;
    if (gone) {
      this.markBroken(choice, new Error(choice.kind === 'host'
        ? `context ${choice.context} is no longer in your kubeconfig`
        : `vCluster ${choice.vcluster.name} (namespace ${choice.vcluster.namespace}) is no longer on ${choice.vcluster.hostContext}`), 'gone');
    } else if (this.current.state === 'broken' && this.current.reason === 'gone') {
      // It came back (a host that was unreachable answers again).
      void this.use(choice, { remember: this.hasOwnChoice() }).catch((error: unknown) => this.markBroken(choice, error));
    }
  }

  /**
   * `kubectl config use-context X` in one of this window's terminals writes X into the workspace's
   * file: that is a switch too. The choice and the status bar follow it, and later rewrites keep
   * it instead of putting the old context back.
   */
  async followTerminalSwitch(): Promise<void> {
    if (!this.file || this.current.state !== 'active') return;
    const read = await this.file.read().catch(() => undefined);
    const context = read?.state === 'ok' ? read.currentContext : undefined;
    if (!context || context === this.lastWrittenContext) return;
    const choice = this.options.choiceForContext(context);
    this.lastWrittenContext = context;
    await this.options.state.update(STATE_KEY, storedWorkspaceChoice(choice));
    this.options.logger.info(`[workspace] a terminal of this window switched to context ${context}: this workspace now uses ${describeChoice(choice)}`);
    this.set({ state: 'active', choice });
  }

  private async rewrite(): Promise<void> {
    const path = this.kubeconfigPath;
    if (!path || this.current.state === 'none') return;
    await this.followTerminalSwitch();
    const { choice } = this.current;
    try {
      await this.writeFile(path, choice);
      if (this.current.state === 'broken' && sameChoice(this.current.choice, choice)) {
        this.applyEnvironment(path, choice);
        this.set({ state: 'active', choice });
      }
    } catch (error) {
      this.markBroken(choice, error);
    }
  }

  private async ensureConnected(ref: Extract<WorkspaceChoice, { kind: 'vcluster' }>['vcluster'], signal: AbortSignal | undefined): Promise<void> {
    const { connector } = this.options;
    if (await connector.answers(ref)) return;
    this.options.logger.info(`[workspace] ${vclusterKey(ref)} does not answer through its context: connecting`);
    const connection = await connector.connect(ref, signal ? { signal } : {});
    this.ownServers.set(connection.context, connection.server);
  }

  /** The user's files as they are now, the extension's contexts, this window's choice current. */
  private async writeFile(path: string, choice: WorkspaceChoice): Promise<KubeconfigDocument> {
    const core = await this.options.loadCoreBundle();
    const paths = this.options.kubeconfigPaths();
    const sources = await readExisting(paths);
    if (sources.length === 0) throw new Error(`none of the kubeconfig files exists (${paths.join(', ')})`);
    const extra = await readExisting([this.options.connector.connectionsFile]);
    // One writer per file in this window: its writes run in order, and it clears temp files
    // left by writes that were cut short (a crash, a full disk).
    if (this.file?.path !== path) this.file = new core.WorkspaceKubeconfigFile(path);
    const previous = await this.file.read();
    if (previous.state === 'corrupt') this.options.logger.warn(`[workspace] ${path} was damaged (${previous.problem}); it is written afresh from your kubeconfig`);
    // What kubectl made in this window's terminals (a namespace set, a context added) is kept.
    const sourcesBefore = previous.state === 'ok' ? await this.file.readSources() : undefined;
    const merged = core.mergeWorkspaceKubeconfig({
      sources,
      extra: extra.map((file) => ({ ...file, text: this.withOwnServers(core, file) })),
      currentContext: contextOfChoice(choice),
      ...(previous.state === 'ok' && sourcesBefore ? { terminalEdits: { path, current: previous.document, sources: sourcesBefore } } : {}),
    });
    const kept = merged.terminalContexts.slice().sort().join(', ');
    if (kept !== [...this.terminalContexts].sort().join(', ') && kept) this.options.logger.info(`[workspace] keeping what this window's terminals set in ${path}: context(s) ${kept}`);
    this.terminalContexts = new Set(merged.terminalContexts);
    this.lastWrittenContext = contextOfChoice(choice);
    await this.file.write(merged.document, merged.sources);
    return merged.document;
  }

  /**
   * The connections file as this window merges it: only what a connection may hold (an entry an
   * older version stored whole is cut down here too), and our own servers where another window
   * reconnected the same vCluster through its own port.
   */
  private withOwnServers(core: CoreBundle, file: { path: string; text: string }): string {
    const parsed = core.parseKubeconfig(file.text, { baseDir: dirname(file.path) });
    // A damaged file is merged as it is: the merge refuses it, saying where and what to do.
    if (!parsed.ok) return file.text;
    const { document, ignored } = core.trustedConnections(parsed.document);
    for (const [context, fields] of ignored) this.options.logger.warn(`[workspace] ${context}: left out of this window's kubeconfig: ${fields.join(', ')} (a connection holds only certificates and a token)`);
    for (const entry of document.clusters) {
      const server = this.ownServers.get(entry.name);
      if (server) entry.cluster.server = server;
    }
    return core.serializeKubeconfig(document);
  }

  private applyEnvironment(path: string, choice: WorkspaceChoice): void {
    const environment = this.options.environment;
    const description = `\`KUBECONFIG\` for this workspace's cluster context, **${describeChoice(choice)}** (vCluster extension). Your own kubeconfig files are not changed.`;
    const current = environment.get('KUBECONFIG');
    // The collection persists across reloads. Touching it with the same values would still mark
    // every open terminal stale, and VS Code relaunches the untouched ones: leave it be then.
    const describedAs = typeof environment.description === 'string' ? environment.description : environment.description?.value;
    if (current?.type === vscode.EnvironmentVariableMutatorType.Replace && current.value === path && describedAs === description) return;
    environment.description = new vscode.MarkdownString(description);
    environment.replace('KUBECONFIG', path);
  }

  private markBroken(choice: WorkspaceChoice, error: unknown, reason: BrokenReason = 'failed'): void {
    const problem = error instanceof Error ? error.message : String(error);
    this.options.logger.warn(`[workspace] ${describeChoice(choice)} cannot be used: ${problem}`);
    this.options.environment.delete('KUBECONFIG');
    this.set({ state: 'broken', choice, problem, reason });
  }

  private requirePath(): string {
    const path = this.kubeconfigPath;
    if (!path) throw new Error('Open a folder first: a context of its own is kept per workspace, and this window has none.');
    return path;
  }

  private set(state: WorkspaceContextState): void {
    this.current = state;
    this.changeEmitter.fire(state);
  }
}

/** The files that exist, with their text; missing ones are skipped as kubectl skips them. */
async function readExisting(paths: readonly string[]): Promise<Array<{ path: string; text: string }>> {
  const files: Array<{ path: string; text: string }> = [];
  for (const path of paths) {
    try {
      files.push({ path, text: await readFile(path, 'utf8') });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new Error(`${path} cannot be read (${code ?? (error as Error).message})`);
    }
  }
  return files;
}
