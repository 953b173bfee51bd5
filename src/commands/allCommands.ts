import * as vscode from 'vscode';
import type { ExtensionServices } from '../extensionServices';
import type { Inspectors } from '../inspector/inspectors';
import type { ClustersTreeProvider } from '../tree/clustersTreeProvider';
import type { WorkspaceContext } from '../workspace/workspaceContext';
import { VCLUSTER_DESCRIPTION_SCHEME, VClusterDescriptionProvider } from '../documents/vclusterDescriptionProvider';
import { CheckToolsCommand } from './checkTools';
import { CleanUpOrphansCommand } from './cleanUpOrphans';
import { ClearWorkspaceContextCommand } from './clearWorkspaceContext';
import { CompareSidesCommand } from './compareSides';
import { ConnectVClusterCommand } from './connectVCluster';
import { CopyContextNameCommand } from './copyContextName';
import { CreateKindClusterCommand } from './createKindCluster';
import { CreateVClusterCommand } from './createVCluster';
import { DeleteKindClusterCommand } from './deleteKindCluster';
import { DeleteVClusterCommand } from './deleteVCluster';
import { DescribeVClusterCommand } from './describeVCluster';
import { DisconnectVClusterCommand } from './disconnectVCluster';
import type { LifecycleUi } from './lifecycleUi';
import { OpenInspectorCommand } from './openInspector';
import { OpenHostYamlCommand, OpenVirtualYamlCommand } from './openObjectYaml';
import { OpenSettingsCommand } from './openSettings';
import { PauseVClusterCommand } from './pauseVCluster';
import { RefreshCommand } from './refresh';
import { registerCommands } from './registry';
import { ResumeVClusterCommand } from './resumeVCluster';
import { SelectKubeconfigCommand } from './selectKubeconfig';
import { SelectWorkspaceContextCommand } from './selectWorkspaceContext';
import { ShowOutputCommand } from './showOutput';
import { ShowVClusterLogsCommand } from './showVClusterLogs';
import { ShowHostPodLogsCommand, ShowOtherSideLogCommand, ShowPodLogsCommand } from './showPodLogs';
import { WHY_SCHEME, WhyNotSyncedCommand } from './whyNotSynced';
import { ReportDocuments } from '../documents/reportDocuments';
import type { MappingSources } from '../vcluster/mapping/mappingSources';
import { UpgradeVClusterCommand } from './upgradeVCluster';
import { UseInWorkspaceCommand } from './useInWorkspace';

export interface CommandTargets {
  tree: ClustersTreeProvider;
  mappingSources: MappingSources;
  inspectors: Inspectors;
  workspaceContext: WorkspaceContext;
  channel: vscode.OutputChannel;
}

/** Every command of package.json's contributes.commands, each from its own file. */
export function registerAllCommands(services: ExtensionServices, targets: CommandTargets): void {
  const { settings, inventory, vclusters, logger, showLog } = services;
  const { tree, mappingSources, inspectors, workspaceContext, channel } = targets;
  const refresh = () => services.refresh();
  const ui: LifecycleUi = { inventory, logger, showLog, refresh };
  // The describe command writes the documents this provider shows.
  const descriptions = services.disposables.register(new VClusterDescriptionProvider({ loadCoreBundle: services.loadCoreBundle, hostClient: vclusters.hostClient, logger }));
  services.disposables.register(vscode.workspace.registerTextDocumentContentProvider(VCLUSTER_DESCRIPTION_SCHEME, descriptions));
  const whyReports = services.disposables.register(new ReportDocuments(WHY_SCHEME, '# This report is gone with the window that made it.\n\nRun "Why Is This Not Synced?" on the object again.\n'));
  services.disposables.register(vscode.workspace.registerTextDocumentContentProvider(WHY_SCHEME, whyReports));
  for (const disposable of registerCommands([
    new CreateVClusterCommand(ui, vclusters),
    new DeleteVClusterCommand(ui, vclusters),
    new PauseVClusterCommand(ui, vclusters),
    new ResumeVClusterCommand(ui, vclusters),
    new ConnectVClusterCommand(ui, vclusters),
    new DisconnectVClusterCommand(ui, vclusters),
    new UpgradeVClusterCommand(ui, vclusters),
    new ShowVClusterLogsCommand(ui, vclusters),
    new CleanUpOrphansCommand(ui, vclusters, mappingSources),
    new ShowPodLogsCommand(vclusters),
    new ShowHostPodLogsCommand(vclusters),
    new ShowOtherSideLogCommand(vclusters),
    new WhyNotSyncedCommand(ui, vclusters, mappingSources, whyReports, services.loadCoreBundle),
    new OpenVirtualYamlCommand(),
    new OpenHostYamlCommand(),
    new CompareSidesCommand(),
    new OpenInspectorCommand(ui, () => inspectors),
    new DescribeVClusterCommand(ui, descriptions),
    new SelectWorkspaceContextCommand(workspaceContext, inventory, refresh, logger, showLog),
    new UseInWorkspaceCommand(workspaceContext, logger, showLog),
    new ClearWorkspaceContextCommand(workspaceContext),
    new CreateKindClusterCommand(settings, logger, refresh, showLog),
    new DeleteKindClusterCommand(settings, logger, refresh, showLog),
    new RefreshCommand(tree),
    new ShowOutputCommand(channel),
    new SelectKubeconfigCommand(settings),
    new CheckToolsCommand(settings, logger, showLog),
    new OpenSettingsCommand(),
    new CopyContextNameCommand(),
  ], logger, showLog)) {
    services.disposables.register(disposable);
  }
}
