import * as vscode from 'vscode';
import type { Logger } from '../process/log';
import type { ClustersTreeNode } from '../tree/clustersTreeProvider';
import type { WorkspaceChoice } from '../workspace/workspaceChoice';
import type { WorkspaceContext } from '../workspace/workspaceContext';
import type { Command } from './command';
import { switchWorkspaceContext } from './workspaceContextUi';

/** "Use in This Workspace" on a host context or a vCluster in the tree. */
export class UseInWorkspaceCommand implements Command {
  readonly id = 'vcluster.useInWorkspace';

  constructor(private readonly workspace: WorkspaceContext, private readonly logger: Logger, private readonly showLog: () => void) {}

  async run(arg?: unknown): Promise<void> {
    const node = arg as ClustersTreeNode | undefined;
    let choice: WorkspaceChoice | undefined;
    if (node?.kind === 'hostContext') choice = { kind: 'host', context: node.host.context.name };
    else if (node?.kind === 'vcluster') choice = { kind: 'vcluster', vcluster: { hostContext: node.vcluster.hostContext, namespace: node.vcluster.namespace, name: node.vcluster.name } };
    if (!choice) {
      await vscode.commands.executeCommand('vcluster.selectWorkspaceContext');
      return;
    }
    await switchWorkspaceContext(this.workspace, choice, this.logger, this.showLog);
  }
}
