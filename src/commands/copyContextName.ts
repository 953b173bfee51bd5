import * as vscode from 'vscode';
import type { ClustersTreeNode } from '../tree/clustersTreeProvider';
import type { Command } from './command';

export class CopyContextNameCommand implements Command {
  readonly id = 'vcluster.copyContextName';

  async run(node?: ClustersTreeNode): Promise<void> {
    if (node?.kind !== 'hostContext') return;
    await vscode.env.clipboard.writeText(node.host.context.name);
    vscode.window.setStatusBarMessage(`Copied ${node.host.context.name}`, 3000);
  }
}
