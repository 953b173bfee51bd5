import * as vscode from 'vscode';
import type { VClusterSummary } from '../vcluster/discovery/discoverVClusters';
import { emptyStatusCounts, hasHostObject, hasVirtualObject, type MappingPair, type PairStatus } from '../vcluster/mapping/mapping';
import { ContextValues } from './contextValues';
import { CLUSTER_SCOPE_GROUP, CONTROL_PLANE_GROUP, pairGroup } from '../shared/pairGroup';
import { naturalCompare } from '../shared/naturalCompare';

/**
 * The syncer mapping under a vCluster: virtual namespaces → kinds → pairs. Each node's id is
 * built from the vCluster and the virtual side's names, so expansion survives refreshes.
 */

export interface MappingNamespaceNode {
  readonly kind: 'mappingNamespace';
  readonly id: string;
  readonly vcluster: VClusterSummary;
  /** The virtual namespace; CLUSTER_SCOPE for cluster-scoped objects, CONTROL_PLANE for the vCluster's own. */
  readonly namespace: string;
  readonly counts: Record<PairStatus, number>;
}

export interface MappingKindNode {
  readonly kind: 'mappingKind';
  readonly id: string;
  readonly vcluster: VClusterSummary;
  readonly namespace: string;
  readonly objectKind: string;
  readonly count: number;
}

export interface MappingPairNode {
  readonly kind: 'mappingPair';
  readonly id: string;
  readonly vcluster: VClusterSummary;
  readonly pair: MappingPair;
}

/** A line in place of children: loading, an error, or why only host markers are shown. */
export interface MappingMessageNode {
  readonly kind: 'mappingMessage';
  readonly id: string;
  readonly vcluster: VClusterSummary;
  readonly message: string;
  readonly tone: 'loading' | 'warning' | 'info';
}

export type MappingNode = MappingNamespaceNode | MappingKindNode | MappingPairNode | MappingMessageNode;

export const CLUSTER_SCOPE = CLUSTER_SCOPE_GROUP;
export const CONTROL_PLANE = CONTROL_PLANE_GROUP;

const base = (vcluster: VClusterSummary) => `vcluster/${vcluster.hostContext}/${vcluster.namespace}/${vcluster.name}`;
export const namespaceNodeId = (vcluster: VClusterSummary, group: string) => `${base(vcluster)}/ns/${group}`;
export const kindNodeId = (vcluster: VClusterSummary, group: string, objectKind: string) => `${namespaceNodeId(vcluster, group)}/kind/${objectKind}`;
export const pairNodeId = (vcluster: VClusterSummary, pairId: string) => `${base(vcluster)}/pair/${pairId}`;

/** Which group a pair is shown under. */
export function groupOf(pair: MappingPair): string {
  return pairGroup(pair.status, pair.virtual);
}

export function namespaceNodes(vcluster: VClusterSummary, pairs: readonly MappingPair[]): MappingNamespaceNode[] {
  const groups = new Map<string, Record<PairStatus, number>>();
  for (const pair of pairs) {
    const group = groupOf(pair);
    const counts = groups.get(group) ?? emptyStatusCounts();
    counts[pair.status]++;
    groups.set(group, counts);
  }
  const order = (name: string) => (name === CONTROL_PLANE ? 2 : name === CLUSTER_SCOPE ? 1 : 0);
  return [...groups.entries()]
    .sort(([a], [b]) => order(a) - order(b) || naturalCompare(a, b))
    .map(([namespace, counts]) => ({ kind: 'mappingNamespace', id: namespaceNodeId(vcluster, namespace), vcluster, namespace, counts }));
}

export function kindNodes(parent: MappingNamespaceNode, pairs: readonly MappingPair[]): MappingKindNode[] {
  const counts = new Map<string, number>();
  for (const pair of pairs) if (groupOf(pair) === parent.namespace) counts.set(pair.kind, (counts.get(pair.kind) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => naturalCompare(a, b)).map(([objectKind, count]) => ({
    kind: 'mappingKind', id: kindNodeId(parent.vcluster, parent.namespace, objectKind), vcluster: parent.vcluster, namespace: parent.namespace, objectKind, count,
  }));
}

export function pairNodes(parent: MappingKindNode, pairs: readonly MappingPair[]): MappingPairNode[] {
  return pairs
    .filter((pair) => pair.kind === parent.objectKind && groupOf(pair) === parent.namespace)
    .sort((a, b) => naturalCompare(a.virtual?.name ?? a.host?.name ?? '', b.virtual?.name ?? b.host?.name ?? ''))
    .map((pair) => ({ kind: 'mappingPair', id: pairNodeId(parent.vcluster, pair.id), vcluster: parent.vcluster, pair }));
}

export function messageNode(vcluster: VClusterSummary, message: string, tone: MappingMessageNode['tone']): MappingMessageNode {
  return { kind: 'mappingMessage', id: `${base(vcluster)}/message/${tone}`, vcluster, message, tone };
}

const STATUS_WORDS: Record<PairStatus, string> = {
  synced: 'synced',
  pending: 'not on the host yet',
  error: 'the host refused it',
  orphaned: 'orphaned on the host',
  virtualOnly: 'virtual only',
  controlPlane: 'vCluster control plane',
};

const STATUS_ICONS: Record<PairStatus, vscode.ThemeIcon> = {
  synced: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  pending: new vscode.ThemeIcon('sync', new vscode.ThemeColor('list.warningForeground')),
  error: new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground')),
  orphaned: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.errorForeground')),
  virtualOnly: new vscode.ThemeIcon('circle-outline', new vscode.ThemeColor('disabledForeground')),
  controlPlane: new vscode.ThemeIcon('server-process'),
};

export function mappingTreeItem(node: MappingNode): vscode.TreeItem {
  switch (node.kind) {
    case 'mappingNamespace': {
      const item = new vscode.TreeItem(node.namespace, vscode.TreeItemCollapsibleState.Collapsed);
      const { synced, pending, error, orphaned, virtualOnly, controlPlane } = node.counts;
      item.description = [
        synced && `${synced} synced`, pending && `${pending} pending`, error && `${error} failed`, orphaned && `${orphaned} orphaned`,
        virtualOnly && `${virtualOnly} virtual only`, controlPlane && `${controlPlane} objects`,
      ].filter(Boolean).join(' · ');
      item.iconPath = new vscode.ThemeIcon(node.namespace === CONTROL_PLANE ? 'server' : node.namespace === CLUSTER_SCOPE ? 'globe' : 'symbol-namespace');
      item.id = node.id;
      item.contextValue = ContextValues.mappingNamespace;
      return item;
    }
    case 'mappingKind': {
      const item = new vscode.TreeItem(node.objectKind, vscode.TreeItemCollapsibleState.Collapsed);
      item.description = String(node.count);
      item.iconPath = new vscode.ThemeIcon('symbol-class');
      item.id = node.id;
      item.contextValue = ContextValues.mappingKind;
      return item;
    }
    case 'mappingPair': {
      const { pair } = node;
      const label = pair.virtual?.name ?? pair.host?.name ?? '?';
      const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      const where = pair.status === 'virtualOnly' ? STATUS_WORDS.virtualOnly
        : pair.host ? `→ ${pair.host.name}${pair.status === 'synced' ? '' : ` (${STATUS_WORDS[pair.status]})`}` : STATUS_WORDS[pair.status];
      // The warning badge: how many Warning events either side has (the tooltip names the newest).
      const warnings = pair.events?.warnings ?? 0;
      item.description = warnings > 0 ? `⚠ ${warnings} · ${where}` : where;
      item.iconPath = STATUS_ICONS[pair.status];
      item.contextValue = ContextValues.mappingPair(pair.status, hasVirtualObject(pair), hasHostObject(pair), pair.kind === 'Pod');
      const tooltip = new vscode.MarkdownString();
      tooltip.appendMarkdown(`**${pair.kind}** — ${STATUS_WORDS[pair.status]}\n\n`);
      if (pair.virtual) tooltip.appendMarkdown(`- Virtual: \`${pair.virtual.namespace ? `${pair.virtual.namespace}/` : ''}${pair.virtual.name}\`${pair.virtual.uid ? ` (uid ${pair.virtual.uid})` : ''}\n`);
      if (pair.host) tooltip.appendMarkdown(`- Host: \`${pair.host.namespace ? `${pair.host.namespace}/` : ''}${pair.host.name}\`${hasHostObject(pair) ? '' : ' (expected name)'}\n`);
      tooltip.appendMarkdown(`- vCluster: \`${node.vcluster.name}\` on \`${node.vcluster.hostContext}\`\n`);
      // Cluster text: shown as code, never as Markdown (a hostile message could otherwise make links).
      if (pair.problem) tooltip.appendMarkdown('\n**Sync error:** ').appendText(pair.problem).appendMarkdown('\n');
      if (pair.events?.newestWarning && !pair.problem) {
        tooltip.appendMarkdown(`\n**${warnings} warning event${warnings === 1 ? '' : 's'}**, newest: `).appendText(pair.events.newestWarning).appendMarkdown('\n');
      }
      item.tooltip = tooltip;
      if (hasVirtualObject(pair)) {
        item.command = { command: 'vcluster.openVirtualYaml', title: 'Open Virtual YAML', arguments: [node] };
      } else if (hasHostObject(pair)) {
        item.command = { command: 'vcluster.openHostYaml', title: 'Open Host YAML', arguments: [node] };
      }
      return item;
    }
    case 'mappingMessage': {
      const item = new vscode.TreeItem(node.message, vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.iconPath = new vscode.ThemeIcon(node.tone === 'loading' ? 'loading~spin' : node.tone === 'warning' ? 'warning' : 'info');
      item.contextValue = ContextValues.mappingMessage;
      return item;
    }
  }
}
