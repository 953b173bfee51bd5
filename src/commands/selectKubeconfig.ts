import * as vscode from 'vscode';
import type { Settings } from '../settings';
import type { Command } from './command';

/**
 * Points the extension at kubeconfig files of the user's choice. Only the extension's setting
 * changes; the files themselves and the KUBECONFIG of terminals are left alone.
 */
export class SelectKubeconfigCommand implements Command {
  readonly id = 'vcluster.selectKubeconfig';
  constructor(private readonly settings: Settings) {}

  async run(): Promise<void> {
    const current = this.settings.kubeconfigFiles();
    const picked = await vscode.window.showOpenDialog({
      title: 'Choose kubeconfig files for vCluster',
      openLabel: 'Use for vCluster',
      canSelectMany: true,
      canSelectFiles: true,
      canSelectFolders: false,
      ...(current[0] ? { defaultUri: vscode.Uri.file(current[0]) } : {}),
    });
    if (!picked || picked.length === 0) return;
    await this.settings.setKubeconfigFiles(picked.map((uri) => uri.fsPath));
    // The configuration listener in the container refreshes the tree.
  }
}
