import * as vscode from 'vscode';
import { displayStatus, statusTone, type StatusTone } from '../vcluster/discovery/status';
import type { VClusterSummary } from '../vcluster/discovery/discoverVClusters';
import { ContextValues } from './contextValues';
import { formatAge } from '../shared/format';
import { OPERATION_ACTIVITY, type OperationVerb } from '../vcluster/lifecycle/operationTracker';

export interface VClusterNode {
  readonly kind: 'vcluster';
  readonly id: string;
  /** Updated in place on refresh: VS Code identifies tree elements by object. */
  vcluster: VClusterSummary;
}

export function vclusterNode(vcluster: VClusterSummary): VClusterNode {
  return { kind: 'vcluster', id: `vcluster/${vcluster.hostContext}/${vcluster.namespace}/${vcluster.name}`, vcluster };
}

const connectedIcon = new vscode.ThemeIcon('plug', new vscode.ThemeColor('testing.iconPassed'));

const toneIcons: Record<StatusTone, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  paused: new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('disabledForeground')),
  progressing: new vscode.ThemeIcon('loading~spin'),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  unknown: new vscode.ThemeIcon('question'),
};

export interface VClusterItemState {
  connected: boolean;
  /** The operation running on it now, shown instead of the status. */
  operation?: OperationVerb;
}

export function vclusterTreeItem(node: VClusterNode, state: VClusterItemState = { connected: false }): vscode.TreeItem {
  const { vcluster } = node;
  const tone = statusTone(vcluster.status);
  // Expanding a vCluster shows its syncer mapping (virtual namespaces → kinds → pairs).
  const item = new vscode.TreeItem(vcluster.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = node.id;
  const status = state.operation ? `${OPERATION_ACTIVITY[state.operation]}…` : displayStatus(vcluster.status);
  item.description = [status, vcluster.namespace, vcluster.version, state.connected ? 'connected' : ''].filter(Boolean).join(' · ');
  item.iconPath = state.operation ? new vscode.ThemeIcon('loading~spin') : state.connected && tone === 'running' ? connectedIcon : toneIcons[tone];
  item.contextValue = ContextValues.vcluster(tone, state.connected, state.operation !== undefined);
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**${vcluster.name}** — ${displayStatus(vcluster.status)}\n\n`);
  tooltip.appendMarkdown(`- Namespace: \`${vcluster.namespace}\`\n- Host context: \`${vcluster.hostContext}\`\n`);
  tooltip.appendMarkdown(`- Version: ${vcluster.version ?? 'unknown'}\n- ${vcluster.workloadKind}, age ${formatAge(vcluster.created) || 'unknown'}\n`);
  if (state.connected) tooltip.appendMarkdown(`- Connected: context \`vcluster_${vcluster.name}_${vcluster.namespace}_${vcluster.hostContext}\`\n`);
  item.tooltip = tooltip;
  return item;
}
