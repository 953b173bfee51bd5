import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionServices } from '../extensionServices';
import { vclusterContextName } from '../vcluster/connect/connectionsKubeconfig';
import { pointKubernetesExtension, writeToUserKubeconfig } from './contextFollowers';
import { ContextStatusBar } from './contextStatusBar';
import { WorkspaceContext } from './workspaceContext';

/**
 * This window's own context: a kubeconfig in workspace storage, KUBECONFIG for its terminals, a
 * status bar item, and the followers (the user's kubeconfig, the Kubernetes extension) when asked.
 */
export function registerWorkspaceContext(services: ExtensionServices): WorkspaceContext {
  const { disposables, extensionContext, settings, inventory, vclusters, logger } = services;
  const workspaceContext = disposables.register(new WorkspaceContext({
    storageDir: extensionContext.storageUri?.fsPath,
    state: extensionContext.workspaceState,
    environment: extensionContext.environmentVariableCollection,
    kubeconfigPaths: services.userKubeconfigPaths,
    connector: vclusters.connector,
    configuredChoice: () => settings.workspaceContext(),
    knownContexts: () => {
      const loaded = inventory.snapshot.kubeconfig;
      return loaded.state === 'ok' || loaded.state === 'noContexts' ? new Set(loaded.document.contexts.map((context) => context.name)) : undefined;
    },
    vclusterExists: (ref) => {
      if (inventory.findVCluster(ref)) return true;
      const host = inventory.snapshot.hosts.find((entry) => entry.context.name === ref.hostContext);
      // Not found on a host that answered: gone. Loading or unreachable: cannot tell.
      return host?.discovery.state === 'ok' ? false : undefined;
    },
    choiceForContext: (context) => {
      const vcluster = inventory.knownVClusters().find((candidate) => vclusterContextName(candidate) === context);
      return vcluster ? { kind: 'vcluster', vcluster: { hostContext: vcluster.hostContext, namespace: vcluster.namespace, name: vcluster.name } } : { kind: 'host', context };
    },
    loadCoreBundle: services.loadCoreBundle,
    logger,
    followers: {
      used: async (choice, path, document, core) => {
        if (settings.writeToUserKubeconfig()) await writeToUserKubeconfig({ choice, userFiles: services.userKubeconfigPaths(), workspaceDocument: document, core, logger });
        if (settings.configureKubernetesExtension()) await pointKubernetesExtension(path);
      },
      cleared: async () => {
        if (settings.configureKubernetesExtension()) await pointKubernetesExtension(undefined);
      },
    },
  }));
  disposables.register(new ContextStatusBar(workspaceContext, extensionContext.storageUri !== undefined));
  const workspaceFile = workspaceContext.kubeconfigPath;
  if (workspaceFile) {
    // kubectl in this window's terminals writes to this file (use-context): the choice follows.
    const fileWatcher = disposables.register(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(workspaceFile)), basename(workspaceFile))));
    const follow = () => void workspaceContext.followTerminalSwitch();
    disposables.register(fileWatcher.onDidChange(follow));
    disposables.register(fileWatcher.onDidCreate(follow));
  }
  disposables.register(inventory.onDidChange(() => workspaceContext.checkChoiceStillExists()));
  disposables.register(vclusters.connector.onDidChangeConnections(() => workspaceContext.scheduleRewrite()));
  disposables.register(vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration('vcluster.workspace.context')) void workspaceContext.teamSettingChanged();
  }));
  disposables.register(vscode.workspace.onDidGrantWorkspaceTrust(() => void workspaceContext.teamSettingChanged()));
  // After activation, and after discovery has read the kubeconfig (connecting needs it); with
  // no choice, restore() only drops a terminal variable a previous session may have left.
  setImmediate(() => void (async () => {
    if (workspaceContext.savedChoice() && inventory.snapshot.kubeconfig.state === 'loading') await services.refresh();
    await workspaceContext.restore();
  })());
  return workspaceContext;
}
