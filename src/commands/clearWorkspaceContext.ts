import type { WorkspaceContext } from '../workspace/workspaceContext';
import type { Command } from './command';

/** Back to the user's kubeconfig as it is, for this window and its new terminals. */
export class ClearWorkspaceContextCommand implements Command {
  readonly id = 'vcluster.clearWorkspaceContext';

  constructor(private readonly workspace: WorkspaceContext) {}

  async run(): Promise<void> {
    await this.workspace.clear();
  }
}
