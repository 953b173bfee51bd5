import * as vscode from 'vscode';
import type { KubeErrorKind } from '../kube/errors';
import type { HostState } from '../vcluster/discovery/inventory';
import { kindClusterOfContext } from '../hostcluster/kind';
import { ContextValues } from './contextValues';

export interface HostContextNode {
  readonly kind: 'hostContext';
  readonly id: string;
  /** Updated in place on change: VS Code identifies tree elements by object. */
  host: HostState;
}

export function hostContextNode(host: HostState): HostContextNode {
  return { kind: 'hostContext', id: `host/${host.context.name}`, host };
}

/** Short words for the description; the tooltip carries the full message. */
const shortReason: Partial<Record<KubeErrorKind, string>> = {
  unreachable: 'unreachable',
  timeout: 'not answering',
  forbidden: 'forbidden',
  unauthorized: 'credentials rejected',
  tls: 'TLS error',
};

function describe(host: HostState): { description: string; icon: vscode.ThemeIcon } {
  const current = host.isCurrent ? 'current · ' : '';
  switch (host.discovery.state) {
    case 'loading':
      return { description: `${current}looking for vClusters…`, icon: new vscode.ThemeIcon('loading~spin') };
    case 'error':
      return {
        description: `${current}${shortReason[host.discovery.error.kind] ?? host.discovery.error.message}`,
        icon: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
      };
    case 'ok': {
      const { vclusters, scope } = host.discovery.result;
      const count = vclusters.length === 1 ? '1 vCluster' : `${vclusters.length} vClusters`;
      const where = scope.allNamespaces ? '' : ` in ${scope.namespace}`;
      return { description: `${current}${count}${where}`, icon: new vscode.ThemeIcon(host.isCurrent ? 'vm-active' : 'vm') };
    }
  }
}

export function hostContextTreeItem(node: HostContextNode): vscode.TreeItem {
  const { host } = node;
  const hasChildren = host.discovery.state === 'ok' && host.discovery.result.vclusters.length > 0;
  const item = new vscode.TreeItem(
    host.context.name,
    hasChildren ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
  );
  const { description, icon } = describe(host);
  item.id = node.id;
  item.description = description;
  item.iconPath = icon;
  item.contextValue = ContextValues.hostContext(host.discovery.state === 'error', kindClusterOfContext(host.context.name) !== undefined);
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${host.context.name}**${host.isCurrent ? ' (current context)' : ''}\n\n`);
  tooltip.appendMarkdown(`- Server: \`${host.context.server ?? 'unknown'}\`\n`);
  tooltip.appendMarkdown(`- Cluster: \`${host.context.cluster ?? '-'}\` · User: \`${host.context.user ?? '-'}\`\n`);
  tooltip.appendMarkdown(`- Namespace: \`${host.context.namespace ?? 'default'}\`\n`);
  tooltip.appendMarkdown(`- From: \`${host.context.sourceFile}\`\n`);
  if (host.discovery.state === 'error') tooltip.appendMarkdown(`\n$(warning) ${host.discovery.error.message}`);
  item.tooltip = tooltip;
  return item;
}
