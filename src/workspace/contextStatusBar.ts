import * as vscode from 'vscode';
import { DisposableStore } from '../disposables';
import { escapeMarkdown } from '../shared/format';
import { contextOfChoice, describeChoice } from './workspaceChoice';
import type { WorkspaceContext, WorkspaceContextState } from './workspaceContext';

/**
 * The status bar entry of this window's context: the host context, or the vCluster and its host;
 * a warning colour when the chosen one cannot be used now. Clicking it switches.
 */
export class ContextStatusBar extends DisposableStore {
  private readonly item = this.register(vscode.window.createStatusBarItem('vcluster.workspaceContext', vscode.StatusBarAlignment.Left, 50));

  constructor(private readonly workspace: WorkspaceContext, hasFolder: boolean) {
    super();
    this.item.name = 'vCluster: Workspace Context';
    this.item.command = 'vcluster.selectWorkspaceContext';
    this.register(workspace.onDidChange((state) => this.render(state)));
    this.render(workspace.status);
    // Without a folder there is no workspace to keep a context for.
    if (hasFolder) this.item.show();
  }

  private render(state: WorkspaceContextState): void {
    const item = this.item;
    item.backgroundColor = undefined;
    const tooltip = new vscode.MarkdownString(undefined, true);
    if (state.state === 'none') {
      item.text = '$(cloud) No workspace context';
      tooltip.appendMarkdown('This window uses your kubeconfig as it is.\n\nClick to give this workspace a context of its own (a host or a vCluster) — its terminals follow; other windows and your kubeconfig files do not change.');
    } else if (state.state === 'active') {
      const { choice } = state;
      item.text = choice.kind === 'host' ? `$(cloud) ${choice.context}` : `$(vm) ${choice.vcluster.name} $(arrow-small-right) ${choice.vcluster.hostContext}`;
      tooltip.appendMarkdown(`**This workspace's context:** ${escapeMarkdown(describeChoice(choice))}${this.workspace.hasOwnChoice() ? '' : ' (from the setting `vcluster.workspace.context`)'}\n\n`);
      tooltip.appendMarkdown(`Context \`${escapeMarkdown(contextOfChoice(choice))}\`; this window's terminals have \`KUBECONFIG\` set to this workspace's own file${this.workspace.kubeconfigPath ? ` (\`${escapeMarkdown(this.workspace.kubeconfigPath)}\`)` : ''}.\n\nClick to switch.`);
    } else {
      item.text = `$(warning) ${state.choice.kind === 'host' ? state.choice.context : state.choice.vcluster.name}`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      tooltip.appendMarkdown(`**This workspace's context cannot be used:** ${escapeMarkdown(state.problem)}\n\nTerminals get your default \`KUBECONFIG\` until it works again. Click to choose another context or to stop using one.`);
    }
    item.tooltip = tooltip;
    item.accessibilityInformation = { label: `vCluster workspace context: ${item.text.replace(/\$\([^)]+\)\s*/g, '')}` };
  }
}
