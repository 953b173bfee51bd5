import * as vscode from 'vscode';
import type { CoreBundle } from '../coreBundle';
import type { KubeClient } from '../kube/client';
import { describeKubeError } from '../kube/errors';
import type { Logger } from '../process/log';
import { describeText } from '../vcluster/describe/describeText';
import type { VClusterRef } from '../vcluster/identity';

export const VCLUSTER_DESCRIPTION_SCHEME = 'vcluster-describe';

/** How long a description may take when VS Code asks for one itself (a tab restored after a reload). */
const RESTORE_TIMEOUT_MS = 60_000;

/** A read-only document per vCluster: vcluster-describe:/<namespace>/vCluster <name>?context=<host context>. */
export function vclusterDescriptionUri(vcluster: VClusterRef): vscode.Uri {
  return vscode.Uri.from({
    scheme: VCLUSTER_DESCRIPTION_SCHEME,
    path: `/${encodeURIComponent(vcluster.namespace)}/vCluster ${vcluster.name}`,
    query: new URLSearchParams({ context: vcluster.hostContext, namespace: vcluster.namespace, vcluster: vcluster.name }).toString(),
  });
}

function parseDescriptionUri(uri: vscode.Uri): VClusterRef | undefined {
  const query = new URLSearchParams(uri.query);
  const hostContext = query.get('context');
  const namespace = query.get('namespace');
  const name = query.get('vcluster');
  return hostContext && namespace && name ? { hostContext, namespace, name } : undefined;
}

export interface VClusterDescriptionOptions {
  loadCoreBundle: () => Promise<CoreBundle>;
  hostClient: (hostContext: string) => Promise<KubeClient>;
  logger: Logger;
}

/**
 * The text of "vCluster: Describe vCluster". The command reads (with progress, cancellable) and
 * hands the text over with `describe`; VS Code then shows what is held here. The text holds the
 * user's vcluster.yaml, so it is kept only while its document is open and never logged.
 */
export class VClusterDescriptionProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changes = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changes.event;
  private readonly closeListener: vscode.Disposable;

  constructor(private readonly options: VClusterDescriptionOptions) {
    this.closeListener = vscode.workspace.onDidCloseTextDocument((document) => {
      if (document.uri.scheme === VCLUSTER_DESCRIPTION_SCHEME) this.texts.delete(document.uri.toString());
    });
  }

  /** Reads the vCluster's description now; an open document of it shows the new text. Throws what went wrong. */
  async describe(vcluster: VClusterRef, signal: AbortSignal): Promise<vscode.Uri> {
    const uri = vclusterDescriptionUri(vcluster);
    this.texts.set(uri.toString(), await this.read(vcluster, signal));
    this.changes.fire(uri);
    return uri;
  }

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const held = this.texts.get(uri.toString());
    if (held !== undefined) return held;
    const vcluster = parseDescriptionUri(uri);
    if (!vcluster) return '# Not a vCluster description address.\n';
    const controller = new AbortController();
    const cancelled = token.onCancellationRequested(() => controller.abort());
    try {
      const text = await this.read(vcluster, AbortSignal.any([controller.signal, AbortSignal.timeout(RESTORE_TIMEOUT_MS)]));
      this.texts.set(uri.toString(), text);
      return text;
    } catch (error) {
      const message = describeKubeError(error, RESTORE_TIMEOUT_MS / 1000).message;
      this.options.logger.warn(`describe vCluster ${vcluster.name} (${vcluster.namespace}, ${vcluster.hostContext}): ${message}`);
      return `# Could not describe vCluster ${vcluster.name} in ${vcluster.namespace} (${vcluster.hostContext}): ${message}\n# Run "vCluster: Describe vCluster" to try again.\n`;
    } finally {
      cancelled.dispose();
    }
  }

  private async read(vcluster: VClusterRef, signal: AbortSignal): Promise<string> {
    const [{ describeVCluster }, client] = await Promise.all([this.options.loadCoreBundle(), this.options.hostClient(vcluster.hostContext)]);
    return describeText(await describeVCluster({ client, vcluster, signal }));
  }

  dispose(): void {
    this.closeListener.dispose();
    this.changes.dispose();
    this.texts.clear();
  }
}
