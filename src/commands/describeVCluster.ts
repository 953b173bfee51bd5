import * as vscode from 'vscode';
import type { VClusterDescriptionProvider } from '../documents/vclusterDescriptionProvider';
import type { Command } from './command';
import { targetVCluster, withLifecycleProgress, type LifecycleUi } from './lifecycleUi';

/**
 * Shows what `vcluster describe` shows of a vCluster (the tree item it was run on, or one picked),
 * with the sync and sleep settings in effect, as a read-only document. Run again, it reads anew.
 */
export class DescribeVClusterCommand implements Command {
  readonly id = 'vcluster.describeVCluster';

  constructor(private readonly ui: LifecycleUi, private readonly descriptions: VClusterDescriptionProvider) {}

  async run(arg?: unknown): Promise<void> {
    const vcluster = await targetVCluster(this.ui, arg, 'Describe vCluster');
    if (!vcluster) return;
    const uri = await withLifecycleProgress(`Describing vCluster ${vcluster.name}…`, ({ signal }) =>
      this.descriptions.describe(vcluster, signal!).catch((error: unknown) => {
        if (signal?.aborted) return undefined;
        throw error;
      }));
    if (!uri) return;
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: false });
  }
}
