import * as vscode from 'vscode';
import type { ClustersTreeProvider } from '../tree/clustersTreeProvider';
import type { Command } from './command';

export class RefreshCommand implements Command {
  readonly id = 'vcluster.refresh';
  constructor(private readonly tree: ClustersTreeProvider) {}

  run(): Thenable<unknown> {
    return vscode.window.withProgress({ location: { viewId: 'vcluster.clusters' } }, () => this.tree.refresh());
  }
}
