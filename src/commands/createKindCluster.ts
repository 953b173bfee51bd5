import * as vscode from 'vscode';
import {
  createKindCluster,
  KIND_INSTALL_URL,
  KindError,
  kindContextName,
  listKindClusters,
  suggestKindClusterName,
  validateKindClusterName,
  validateNodeImage,
} from '../hostcluster/kind';
import { kubeconfigPaths } from '../kube/kubeconfigFiles';
import type { Logger } from '../process/log';
import type { Command } from './command';
import { redactedMessage } from '../process/redact';

/** What the kind commands read from Settings; the real Settings class fits it. */
export interface KindSettings {
  toolPath(tool: 'kind'): string | undefined;
  kubeconfigFiles?(): string[];
}

/** Cancelling the notification aborts the kind process. */
export async function withAbort<T>(token: vscode.CancellationToken, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const listener = token.onCancellationRequested(() => controller.abort());
  try {
    return await run(controller.signal);
  } finally {
    listener.dispose();
  }
}

/**
 * The kubeconfig the tree shows when vcluster.kubeconfig names files; otherwise undefined, and kind
 * writes where kubectl would (KUBECONFIG, else ~/.kube/config), which is also what the tree reads.
 */
export function kindKubeconfigPath(settings: KindSettings): string | undefined {
  const configured = settings.kubeconfigFiles?.() ?? [];
  return configured.length > 0 ? kubeconfigPaths({ configured, kubeconfigEnv: undefined })[0] : undefined;
}

export function listKindClustersWithProgress(kindCommand: string | undefined): Thenable<string[]> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'vCluster: looking for kind clusters…', cancellable: true },
    (_progress, token) => withAbort(token, (signal) => listKindClusters(kindCommand, { signal })),
  );
}

/**
 * Shows a KindError with the button that helps, logs it in full, and returns true; any other error
 * is left to the registry's policy (false).
 */
export function reportKindError(error: unknown, logger: Logger, showLog: () => void): boolean {
  if (!(error instanceof KindError)) return false;
  const message = redactedMessage(error);
  const firstLine = message.split('\n')[0] ?? message;
  if (error.reason === 'cancelled') {
    logger.info(`[kind] ${error.message}`);
    void vscode.window.showInformationMessage(firstLine);
    return true;
  }
  logger.error(`[kind] ${error.message}`);
  const actions = error.reason === 'kindMissing' ? ['Install kind', 'Open Settings'] : ['Show Output Log'];
  void vscode.window.showErrorMessage(firstLine, ...actions).then((choice) => {
    if (choice === 'Install kind') void vscode.env.openExternal(vscode.Uri.parse(KIND_INSTALL_URL));
    if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'vcluster.kindPath');
    if (choice === 'Show Output Log') showLog();
  });
  return true;
}

/** kind's progress lines (" ✓ Preparing nodes 📦") make a good notification message. */
function progressMessage(line: string): string | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('ERROR')) return undefined;
  return trimmed.length > 80 ? `${trimmed.slice(0, 79)}…` : trimmed;
}

/**
 * Creates a kind cluster to host vClusters: asks a name (checked as typed against kind's rule and
 * the clusters that exist), an optional kind config file and node image, then runs
 * `kind create cluster` with progress and cancellation, and refreshes the tree for `kind-NAME`.
 */
export class CreateKindClusterCommand implements Command {
  readonly id = 'vcluster.createKindCluster';
  constructor(
    private readonly settings: KindSettings,
    private readonly logger: Logger,
    private readonly refresh: () => Promise<unknown>,
    private readonly showLog: () => void,
  ) {}

  async run(): Promise<{ name: string; contextName: string } | undefined> {
    const kindCommand = this.settings.toolPath('kind');
    try {
      // First, so a machine without kind or a container engine says so before any question.
      const existing = await listKindClustersWithProgress(kindCommand);
      const choices = await this.ask(existing);
      if (!choices) return undefined;
      const created = await this.create(kindCommand, choices);
      await this.refresh();
      void vscode.window.showInformationMessage(`kind cluster "${created.name}" is ready; its context is ${created.contextName}.`);
      return created;
    } catch (error) {
      if (reportKindError(error, this.logger, this.showLog)) return undefined;
      throw error;
    }
  }

  private async ask(existing: readonly string[]): Promise<{ name: string; configFile?: string; nodeImage?: string } | undefined> {
    const name = await vscode.window.showInputBox({
      title: 'Create kind Cluster (1/3): name',
      prompt: `Its kube context will be ${kindContextName('NAME')}.`,
      value: suggestKindClusterName(existing),
      ignoreFocusOut: true,
      validateInput: (value) =>
        validateKindClusterName(value) ?? (existing.includes(value) ? `A kind cluster named "${value}" already exists.` : undefined),
    });
    if (name === undefined) return undefined;

    const configChoice = await vscode.window.showQuickPick(
      [
        { label: 'Default configuration', description: 'one control-plane node', file: false },
        { label: 'Choose a kind config file…', description: 'kind: Cluster, apiVersion: kind.x-k8s.io/v1alpha4', file: true },
      ],
      { title: 'Create kind Cluster (2/3): configuration', ignoreFocusOut: true },
    );
    if (!configChoice) return undefined;
    let configFile: string | undefined;
    if (configChoice.file) {
      const picked = await vscode.window.showOpenDialog({
        title: 'kind config file',
        openLabel: 'Use this config',
        canSelectMany: false,
        canSelectFiles: true,
        canSelectFolders: false,
        filters: { 'kind config': ['yaml', 'yml'], 'All files': ['*'] },
      });
      if (!picked?.[0]) return undefined;
      configFile = picked[0].fsPath;
    }

    const nodeImage = await vscode.window.showInputBox({
      title: 'Create kind Cluster (3/3): node image',
      prompt: 'Leave empty for the node image this version of kind defaults to.',
      placeHolder: 'kindest/node:v1.33.1',
      ignoreFocusOut: true,
      validateInput: (value) => validateNodeImage(value.trim()),
    });
    if (nodeImage === undefined) return undefined;
    return { name, configFile, nodeImage: nodeImage.trim() || undefined };
  }

  private create(
    kindCommand: string | undefined,
    choices: { name: string; configFile?: string; nodeImage?: string },
  ): Thenable<{ name: string; contextName: string }> {
    const kubeconfigPath = kindKubeconfigPath(this.settings);
    this.logger.info(`[kind] creating cluster "${choices.name}"${choices.configFile ? ` from ${choices.configFile}` : ''}${choices.nodeImage ? ` with ${choices.nodeImage}` : ''}`);
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Creating kind cluster "${choices.name}"`, cancellable: true },
      (progress, token) => withAbort(token, (signal) => createKindCluster({
        kindCommand,
        ...choices,
        kubeconfigPath,
        signal,
        // The name was free a moment ago: what exists under it after a cancel is kind's half-made cluster.
        cleanUpIfStopped: true,
        onLine: (line) => {
          if (line.trim() !== '') this.logger.info(`[kind] ${line}`);
          const message = progressMessage(line);
          if (message) progress.report({ message });
        },
      })),
    );
  }
}
