import * as vscode from 'vscode';
import { OBJECT_YAML_SCHEME, ObjectYamlProvider } from '../documents/objectYamlProvider';
import type { ExtensionServices } from '../extensionServices';
import { ClustersTreeProvider, TOOLTIP_READ_TIMEOUT_MS, type ReadSleepSettings } from './clustersTreeProvider';
import { MappingChildren } from './mappingChildren';
import { MappingSources } from '../vcluster/mapping/mappingSources';

/**
 * The vCluster view: hosts, their vClusters and each vCluster's syncer mapping (all live while
 * the view is visible), and the read-only YAML documents its items open.
 */
export function registerClustersView(services: ExtensionServices) {
  const { disposables, vclusters, loadCoreBundle, logger, inventory } = services;
  const virtualClient = (vcluster: Parameters<typeof vclusters.connector.virtualClient>[0]) => vclusters.connector.virtualClient(vcluster);
  const mappingSources = disposables.register(new MappingSources({
    loadCoreBundle,
    hostClient: vclusters.hostClient,
    virtualClient,
    logger,
    onDidChange: (vcluster, changedIds) => tree.mappingChanged(vcluster, changedIds),
  }));
  const readSleepSettings: ReadSleepSettings = async (vcluster, signal) => {
    const [core, client] = await Promise.all([loadCoreBundle(), vclusters.hostClient(vcluster.hostContext)]);
    return core.readSleepSettings({ client, vcluster, signal, timeoutSeconds: TOOLTIP_READ_TIMEOUT_MS / 1000 });
  };
  const tree = disposables.register(new ClustersTreeProvider(inventory, vclusters, new MappingChildren(mappingSources), readSleepSettings));
  const treeView = disposables.register(vscode.window.createTreeView('vcluster.clusters', { treeDataProvider: tree, showCollapseAll: true }));
  // Hosts and mappings are watched while the view is visible, and only then.
  inventory.setWatching(treeView.visible);
  disposables.register(treeView.onDidChangeVisibility((event) => {
    inventory.setWatching(event.visible);
    mappingSources.setVisible(event.visible);
  }));
  disposables.register(vscode.workspace.registerTextDocumentContentProvider(OBJECT_YAML_SCHEME, new ObjectYamlProvider({
    loadCoreBundle,
    hostClient: vclusters.hostClient,
    virtualClient,
  })));
  return { tree, treeView, mappingSources };
}

export type ClustersView = ReturnType<typeof registerClustersView>;
