import * as vscode from 'vscode';
import { statusTone, type StatusTone } from '../vcluster/status';
import type { VClusterSummary } from '../vcluster/discovery';
import { ContextValues } from './contextValues';
import { formatAge } from '../vcluster/format';

export interface VClusterNode {
  readonly kind: 'vcluster';
  readonly id: string;
  readonly vcluster: VClusterSummary;
}

export function vclusterNode(vcluster: VClusterSummary): VClusterNode {
  return { kind: 'vcluster', id: `vcluster/${vcluster.hostContext}/${vcluster.namespace}/${vcluster.name}`, vcluster };
}

const toneIcons: Record<StatusTone, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  paused: new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('disabledForeground')),
  progressing: new vscode.ThemeIcon('loading~spin'),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  unknown: new vscode.ThemeIcon('question'),
};

export function vclusterTreeItem(node: VClusterNode): vscode.TreeItem {
  const { vcluster } = node;
  const tone = statusTone(vcluster.status);
  const item = new vscode.TreeItem(vcluster.name, vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.description = [vcluster.status, vcluster.namespace, vcluster.version].filter(Boolean).join(' · ');
  item.iconPath = toneIcons[tone];
  item.contextValue = ContextValues.vcluster(tone);
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**${vcluster.name}** — ${vcluster.status}\n\n`);
  tooltip.appendMarkdown(`- Namespace: \`${vcluster.namespace}\`\n- Host context: \`${vcluster.hostContext}\`\n`);
  tooltip.appendMarkdown(`- Version: ${vcluster.version ?? 'unknown'}\n- ${vcluster.workloadKind}, age ${formatAge(vcluster.created) || 'unknown'}\n`);
  item.tooltip = tooltip;
  return item;
}
