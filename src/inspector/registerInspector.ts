import * as vscode from 'vscode';
import type { ExtensionServices } from '../extensionServices';
import type { ClustersView } from '../tree/registerClustersView';
import { Inspectors } from './inspectors';

/** The resource-mapping inspector: one panel per vCluster, fed by the tree's MappingSources. */
export function registerInspector(services: ExtensionServices, view: ClustersView): Inspectors {
  const { inventory, vclusters, loadCoreBundle, logger } = services;
  const { tree, treeView, mappingSources } = view;
  return services.disposables.register(new Inspectors({
    extensionUri: services.extensionContext.extensionUri,
    sources: mappingSources,
    findVCluster: (ref) => inventory.findVCluster(ref),
    discoveryPending: (hostContext) => {
      const { kubeconfig, hosts } = inventory.snapshot;
      if (kubeconfig.state === 'loading') return true;
      return hosts.some((host) => host.context.name === hostContext && host.discovery.state === 'loading');
    },
    discover: () => {
      if (inventory.snapshot.kubeconfig.state === 'loading') void services.refresh();
    },
    onDidChangeVClusters: (listener) => {
      const subscriptions = [inventory.onDidChange(() => listener()), vclusters.connector.onDidChangeConnections(() => listener())];
      return { dispose: () => subscriptions.forEach((subscription) => subscription.dispose()) };
    },
    readDetail: async (vcluster, pair, signal) => {
      const core = await loadCoreBundle();
      const [hostClient, virtualClient] = await Promise.all([vclusters.hostClient(vcluster.hostContext), vclusters.connector.virtualClient(vcluster)]);
      // Events come from the source's live watches, not another read: the detail shows what the badge counted.
      const source = mappingSources.existing(vcluster);
      const events = source ? { events: source.eventsFor(pair.id), notes: source.eventNotes() } : undefined;
      return core.readPairDetail(pair, { hostClient, virtualClient, stringify: (value) => core.stringifyYaml(value, { sortMapEntries: true }), signal, ...(events ? { events } : {}) });
    },
    openYaml: (vcluster, pair, side) => vscode.commands.executeCommand(side === 'virtual' ? 'vcluster.openVirtualYaml' : 'vcluster.openHostYaml', tree.pairNode(vcluster, pair)),
    compareSides: (vcluster, pair) => vscode.commands.executeCommand('vcluster.compareSides', tree.pairNode(vcluster, pair)),
    whyNotSynced: (vcluster, pair) => vscode.commands.executeCommand('vcluster.whyNotSynced', tree.pairNode(vcluster, pair)),
    showLogs: (vcluster, pair, side) => vscode.commands.executeCommand(side === 'virtual' ? 'vcluster.showPodLogs' : 'vcluster.showHostPodLogs', tree.pairNode(vcluster, pair)),
    revealInTree: async (vcluster, pair) => {
      await vscode.commands.executeCommand('vcluster.clusters.focus');
      await treeView.reveal(tree.pairNode(vcluster, pair), { select: true, focus: true, expand: false });
    },
    logger,
  }));
}
