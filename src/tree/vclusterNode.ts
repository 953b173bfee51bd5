import * as vscode from 'vscode';
import { displayStatus, statusTone, type StatusTone } from '../vcluster/discovery/status';
import type { VClusterSummary } from '../vcluster/discovery/discoverVClusters';
import { ContextValues } from './contextValues';
import { escapeMarkdown, formatAge } from '../shared/format';
import { OPERATION_ACTIVITY, type OperationVerb } from '../vcluster/lifecycle/operationTracker';
import { sleepStateRows } from '../vcluster/discovery/sleepState';
import type { SleepSettingsReading } from '../vcluster/describe/readSleepSettings';

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
  sleeping: new vscode.ThemeIcon('watch', new vscode.ThemeColor('disabledForeground')),
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

/**
 * The row of a vCluster. Its tooltip is left out: it needs the sleep settings, which only the
 * config Secret holds, so it is made on hover (vclusterTooltip, from the provider's resolveTreeItem).
 */
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
  return item;
}

/** Settings shown in the tooltip before "and N more": Describe shows them all. */
const MAX_TOOLTIP_SETTINGS = 10;
const MAX_TOOLTIP_VALUE_CHARS = 80;

/**
 * What the tooltip says: the vCluster, its sleep state (from discovery: the config Secret's
 * sleep-mode marks) and its sleep settings (read from its config on hover). Everything from the
 * cluster is escaped: a tooltip renders Markdown.
 */
export function vclusterTooltip(vcluster: VClusterSummary, state: VClusterItemState, settings: SleepSettingsReading): vscode.MarkdownString {
  const tooltip = new vscode.MarkdownString();
  tooltip.appendMarkdown(`**${vcluster.name}** — ${escapeMarkdown(displayStatus(vcluster.status))}\n\n`);
  tooltip.appendMarkdown(`- Namespace: \`${vcluster.namespace}\`\n- Host context: \`${vcluster.hostContext}\`\n`);
  tooltip.appendMarkdown(`- Version: ${escapeMarkdown(vcluster.version ?? 'unknown')}\n- ${vcluster.workloadKind}, age ${formatAge(vcluster.created) || 'unknown'}\n`);
  if (state.connected) tooltip.appendMarkdown(`- Connected: context \`vcluster_${vcluster.name}_${vcluster.namespace}_${vcluster.hostContext}\`\n`);
  tooltip.appendMarkdown('\n**Sleep**\n\n');
  const lines = sleepStateRows(vcluster.sleep, (date) => `${formatAge(date)} ago`).map((row) => `- ${row.label}: ${shown(row.value)}`);
  if (settings.state === 'unavailable') {
    lines.push(`- Settings could not be read: ${shown(settings.problem)}`);
  } else if (!settings.sleep) {
    lines.push('- Not configured (no sleep or sleepMode in the config)');
  } else {
    const { configKey, settings: leaves } = settings.sleep;
    for (const setting of leaves.slice(0, MAX_TOOLTIP_SETTINGS)) lines.push(`- ${shown(`${configKey}.${setting.key}`)}: ${shown(setting.value)}`);
    if (leaves.length > MAX_TOOLTIP_SETTINGS) lines.push(`- and ${leaves.length - MAX_TOOLTIP_SETTINGS} more (Describe vCluster shows them all)`);
  }
  tooltip.appendMarkdown(`${lines.join('\n')}\n`);
  return tooltip;
}

/** A value from the cluster as one escaped line of bounded length. */
function shown(value: string): string {
  const line = value.replace(/\s+/g, ' ').trim();
  return escapeMarkdown(line.length > MAX_TOOLTIP_VALUE_CHARS ? `${line.slice(0, MAX_TOOLTIP_VALUE_CHARS - 1)}…` : line);
}
