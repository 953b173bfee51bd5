import * as vscode from 'vscode';
import { deleteKindCluster, kindClusterOfContext, kindContextName } from '../hostcluster/kind';
import type { Logger } from '../process/log';
import type { ClustersTreeNode } from '../tree/clustersTreeProvider';
import type { Command } from './command';
import { kindKubeconfigPath, type KindSettings, listKindClustersWithProgress, reportKindError, withAbort } from './createKindCluster';

/**
 * Deletes a kind cluster: the one behind a `kind-NAME` context in the tree, or one picked from
 * `kind get clusters`, after a modal confirmation naming the cluster and its kube context.
 */
export class DeleteKindClusterCommand implements Command {
  readonly id = 'vcluster.deleteKindCluster';
  constructor(
    private readonly settings: KindSettings,
    private readonly logger: Logger,
    private readonly refresh: () => Promise<unknown>,
    private readonly showLog: () => void,
  ) {}

  async run(node?: ClustersTreeNode): Promise<string | undefined> {
    const kindCommand = this.settings.toolPath('kind');
    let name: string | undefined;
    // From the tree, kind must edit the file the context came from.
    let kubeconfigPath = kindKubeconfigPath(this.settings);
    if (node?.kind === 'hostContext') {
      const contextName = node.host.context.name;
      name = kindClusterOfContext(contextName);
      if (!name) throw new Error(`"${contextName}" is not a kind context: kind names its contexts kind-<cluster>.`);
      kubeconfigPath = node.host.context.sourceFile || kubeconfigPath;
    }
    try {
      const clusters = await listKindClustersWithProgress(kindCommand);
      if (!name) {
        if (clusters.length === 0) {
          void vscode.window.showInformationMessage('No kind clusters found.');
          return undefined;
        }
        const picked = await vscode.window.showQuickPick(
          clusters.map((cluster) => ({ label: cluster, description: kindContextName(cluster) })),
          { title: 'Delete kind Cluster', placeHolder: 'The kind cluster to delete' },
        );
        if (!picked) return undefined;
        name = picked.label;
      }
      if (!(await this.confirm(name, clusters.includes(name)))) return undefined;
      await this.delete(kindCommand, name, kubeconfigPath);
      await this.refresh();
      void vscode.window.showInformationMessage(`Deleted kind cluster "${name}" and its context ${kindContextName(name)}.`);
      return name;
    } catch (error) {
      if (reportKindError(error, this.logger, this.showLog)) return undefined;
      throw error;
    }
  }

  private async confirm(name: string, hasNodes: boolean): Promise<boolean> {
    const detail = hasNodes
      ? `Its node containers and everything in them (vClusters included) are removed, and its kube context "${kindContextName(name)}" is removed from your kubeconfig. This cannot be undone.`
      : `kind has no nodes for "${name}"; only its kube context "${kindContextName(name)}" is removed from your kubeconfig.`;
    const choice = await vscode.window.showWarningMessage(`Delete kind cluster "${name}"?`, { modal: true, detail }, 'Delete');
    return choice === 'Delete';
  }

  private delete(kindCommand: string | undefined, name: string, kubeconfigPath: string | undefined): Thenable<void> {
    this.logger.info(`[kind] deleting cluster "${name}"`);
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Deleting kind cluster "${name}"`, cancellable: true },
      (_progress, token) => withAbort(token, (signal) => deleteKindCluster({
        kindCommand,
        name,
        kubeconfigPath,
        signal,
        onLine: (line) => {
          if (line.trim() !== '') this.logger.info(`[kind] ${line}`);
        },
      })),
    );
  }
}
