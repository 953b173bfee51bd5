import * as vscode from 'vscode';
import { CheckToolsCommand } from './commands/checkTools';
import { CopyContextNameCommand } from './commands/copyContextName';
import { OpenSettingsCommand } from './commands/openSettings';
import { RefreshCommand } from './commands/refresh';
import { registerCommands } from './commands/registry';
import { SelectKubeconfigCommand } from './commands/selectKubeconfig';
import { ShowOutputCommand } from './commands/showOutput';
import { ConnectVClusterCommand } from './commands/connectVCluster';
import { CreateKindClusterCommand } from './commands/createKindCluster';
import { CreateVClusterCommand } from './commands/createVCluster';
import { DeleteKindClusterCommand } from './commands/deleteKindCluster';
import { DeleteVClusterCommand } from './commands/deleteVCluster';
import { DisconnectVClusterCommand } from './commands/disconnectVCluster';
import type { LifecycleUi } from './commands/lifecycleUi';
import { PauseVClusterCommand } from './commands/pauseVCluster';
import { ResumeVClusterCommand } from './commands/resumeVCluster';
import { UpgradeVClusterCommand } from './commands/upgradeVCluster';
import { basename, dirname, join } from 'node:path';
import { VClusterActions } from './vcluster/actions';
import { ConnectionsKubeconfig, vclusterContextName } from './vcluster/connection';
import { OpenHostYamlCommand, OpenVirtualYamlCommand } from './commands/openObjectYaml';
import { CompareSidesCommand } from './commands/compareSides';
import { OBJECT_YAML_SCHEME, ObjectYamlProvider } from './documents/objectYamlProvider';
import { MappingChildren } from './tree/mappingChildren';
import { OpenInspectorCommand } from './commands/openInspector';
import { Inspectors } from './inspector/inspectors';
import { knownVClusters } from './commands/lifecycleUi';
import { vclusterKey } from './vcluster/operations';
import { ClearWorkspaceContextCommand } from './commands/clearWorkspaceContext';
import { SelectWorkspaceContextCommand } from './commands/selectWorkspaceContext';
import { UseInWorkspaceCommand } from './commands/useInWorkspace';
import { ContextStatusBar } from './workspace/contextStatusBar';
import { pointKubernetesExtension, writeToUserKubeconfig } from './workspace/contextFollowers';
import { WorkspaceContext } from './workspace/workspaceContext';
import { MappingSources } from './tree/mappingSources';
import { kubeconfigPaths } from './kube/kubeconfigFiles';
import { KubeconfigWatcher } from './kubeconfigWatcher';
import { DisposableStore } from './lifecycle';
import { createOutputLogger } from './outputLogger';
import type { Logger } from './process/log';
import { Settings } from './settings';
import { ClustersTreeProvider } from './tree/clustersTreeProvider';
import type { Backend } from './vcluster/backend';
import { ClusterInventory } from './vcluster/inventory';

/**
 * dist/backend.js, the separately bundled Kubernetes client (see vcluster/backend.ts). The path
 * is relative to dist/extension.js; esbuild leaves this require alone (esbuild.js).
 */
function loadBackend(): Promise<Backend> {
  // Deferred to a later turn of the event loop: a caller during activate() (reading the saved
  // connections, say) must not pull the 2 MB bundle into activation time.
  return new Promise((resolve, reject) => setImmediate(() => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a runtime path into dist/, by design
      resolve(require('./backend.js') as Backend);
    } catch (error) {
      reject(error);
    }
  }));
}

/**
 * The composition root: the only place services are created and wired. It owns every
 * disposable, so deactivation (or a failed activation) tears everything down.
 */
export class Container extends DisposableStore {
  readonly logger: Logger;
  readonly settings = new Settings();
  readonly inventory: ClusterInventory;
  readonly tree: ClustersTreeProvider;
  readonly actions: VClusterActions;
  readonly workspaceContext: WorkspaceContext;

  constructor(readonly extensionContext: vscode.ExtensionContext) {
    super();
    const { channel, logger } = createOutputLogger();
    this.register(channel);
    this.logger = logger;
    const showLog = () => channel.show(true);

    const watcher = this.register(new KubeconfigWatcher(() => {
      void this.tree.refresh();
      this.workspaceContext.scheduleRewrite();
    }));
    this.inventory = this.register(new ClusterInventory({
      kubeconfigPaths: () => {
        const paths = kubeconfigPaths({ configured: this.settings.kubeconfigFiles(), kubeconfigEnv: process.env.KUBECONFIG });
        watcher.update(paths);
        return paths;
      },
      requestTimeoutMs: () => this.settings.requestTimeoutMs(),
      logger,
      loadBackend,
    }));
    this.actions = this.register(new VClusterActions({
      loadBackend,
      kubeconfig: () => {
        const loaded = this.inventory.snapshot.kubeconfig;
        return loaded.state === 'ok' ? { document: loaded.document, paths: loaded.files.map((file) => file.path) } : undefined;
      },
      tools: () => ({ vcluster: this.settings.toolPath('vcluster'), helm: this.settings.toolPath('helm'), preference: this.settings.provisionerPreference() }),
      chart: () => this.settings.chart(),
      // The extension's own kubeconfig for vCluster contexts; the user's files are never written.
      connections: new ConnectionsKubeconfig(join(extensionContext.globalStorageUri.fsPath, 'vclusters.kubeconfig'), async () => {
        const backend = await loadBackend();
        return { parse: backend.parseYaml, stringify: backend.stringifyYaml };
      }),
      connectServers: () => this.settings.connectServers(),
      logger,
      requestTimeoutMs: () => this.settings.requestTimeoutMs(),
    }));
    void this.actions.connector.loadConnections();
    // Other windows (each its own extension host) connect and disconnect in the same file: this
    // window sees their connections as they happen, as it sees its own.
    this.register(new KubeconfigWatcher(() => void this.actions.connector.loadConnections()))
      .update([this.actions.connector.connectionsFile]);
    // The syncer mapping under each expanded vCluster: live while the view is visible.
    const mappingSources = this.register(new MappingSources({
      loadBackend,
      hostClient: (hostContext) => this.actions.hostClient(hostContext),
      virtualClient: (vcluster) => this.actions.connector.virtualClient(vcluster),
      logger,
      onDidChange: (vcluster, changedIds) => this.tree.mappingChanged(vcluster, changedIds),
    }));
    this.tree = this.register(new ClustersTreeProvider(this.inventory, this.actions, new MappingChildren(mappingSources)));
    const treeView = this.register(vscode.window.createTreeView('vcluster.clusters', { treeDataProvider: this.tree, showCollapseAll: true }));
    this.register(treeView.onDidChangeVisibility((event) => mappingSources.setVisible(event.visible)));
    this.register(vscode.workspace.registerTextDocumentContentProvider(OBJECT_YAML_SCHEME, new ObjectYamlProvider({
      loadBackend,
      hostClient: (hostContext) => this.actions.hostClient(hostContext),
      virtualClient: (vcluster) => this.actions.connector.virtualClient(vcluster),
    })));

    // The resource-mapping inspector: one panel per vCluster, fed by the same MappingSources.
    const inspectors = this.register(new Inspectors({
      extensionUri: extensionContext.extensionUri,
      sources: mappingSources,
      findVCluster: (ref) => knownVClusters(this.inventory).find((vcluster) => vclusterKey(vcluster) === vclusterKey(ref)),
      discoveryPending: (hostContext) => {
        const { kubeconfig, hosts } = this.inventory.snapshot;
        if (kubeconfig.state === 'loading') return true;
        return hosts.some((host) => host.context.name === hostContext && host.discovery.state === 'loading');
      },
      discover: () => {
        if (this.inventory.snapshot.kubeconfig.state === 'loading') void this.tree.refresh();
      },
      onDidChangeVClusters: (listener) => {
        const subscriptions = [this.inventory.onDidChange(() => listener()), this.actions.connector.onDidChangeConnections(() => listener())];
        return { dispose: () => subscriptions.forEach((subscription) => subscription.dispose()) };
      },
      readDetail: async (vcluster, pair, signal) => {
        const backend = await loadBackend();
        const [hostClient, virtualClient] = await Promise.all([this.actions.hostClient(vcluster.hostContext), this.actions.connector.virtualClient(vcluster)]);
        return backend.readPairDetail(pair, { hostClient, virtualClient, stringify: (value) => backend.stringifyYaml(value, { sortMapEntries: true }), signal });
      },
      openYaml: (vcluster, pair, side) => vscode.commands.executeCommand(side === 'virtual' ? 'vcluster.openVirtualYaml' : 'vcluster.openHostYaml', this.tree.pairNode(vcluster, pair)),
      compareSides: (vcluster, pair) => vscode.commands.executeCommand('vcluster.compareSides', this.tree.pairNode(vcluster, pair)),
      revealInTree: async (vcluster, pair) => {
        await vscode.commands.executeCommand('vcluster.clusters.focus');
        await treeView.reveal(this.tree.pairNode(vcluster, pair), { select: true, focus: true, expand: false });
      },
      logger,
    }));

    // This window's own context: a kubeconfig in workspace storage, KUBECONFIG for its terminals.
    const userKubeconfigPaths = () => kubeconfigPaths({ configured: this.settings.kubeconfigFiles(), kubeconfigEnv: process.env.KUBECONFIG });
    this.workspaceContext = this.register(new WorkspaceContext({
      storageDir: extensionContext.storageUri?.fsPath,
      state: extensionContext.workspaceState,
      environment: extensionContext.environmentVariableCollection,
      kubeconfigPaths: userKubeconfigPaths,
      connector: this.actions.connector,
      configuredChoice: () => this.settings.workspaceContext(),
      knownContexts: () => {
        const loaded = this.inventory.snapshot.kubeconfig;
        return loaded.state === 'ok' || loaded.state === 'noContexts' ? new Set(loaded.document.contexts.map((context) => context.name)) : undefined;
      },
      vclusterExists: (ref) => {
        if (knownVClusters(this.inventory).some((vcluster) => vclusterKey(vcluster) === vclusterKey(ref))) return true;
        const host = this.inventory.snapshot.hosts.find((entry) => entry.context.name === ref.hostContext);
        // Not found on a host that answered: gone. Loading or unreachable: cannot tell.
        return host?.discovery.state === 'ok' ? false : undefined;
      },
      choiceForContext: (context) => {
        const vcluster = knownVClusters(this.inventory).find((candidate) => vclusterContextName(candidate) === context);
        return vcluster ? { kind: 'vcluster', vcluster: { hostContext: vcluster.hostContext, namespace: vcluster.namespace, name: vcluster.name } } : { kind: 'host', context };
      },
      loadBackend,
      logger,
      followers: {
        used: async (choice, path, document, backend) => {
          if (this.settings.writeToUserKubeconfig()) await writeToUserKubeconfig({ choice, userFiles: userKubeconfigPaths(), workspaceDocument: document, backend, logger });
          if (this.settings.configureKubernetesExtension()) await pointKubernetesExtension(path);
        },
        cleared: async () => {
          if (this.settings.configureKubernetesExtension()) await pointKubernetesExtension(undefined);
        },
      },
    }));
    this.register(new ContextStatusBar(this.workspaceContext, extensionContext.storageUri !== undefined));
    const workspaceFile = this.workspaceContext.kubeconfigPath;
    if (workspaceFile) {
      // kubectl in this window's terminals writes to this file (use-context): the choice follows.
      const fileWatcher = this.register(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(workspaceFile)), basename(workspaceFile))));
      const follow = () => void this.workspaceContext.followTerminalSwitch();
      this.register(fileWatcher.onDidChange(follow));
      this.register(fileWatcher.onDidCreate(follow));
    }
    this.register(this.inventory.onDidChange(() => this.workspaceContext.checkChoiceStillExists()));
    this.register(this.actions.connector.onDidChangeConnections(() => this.workspaceContext.scheduleRewrite()));
    // After activation, and after discovery has read the kubeconfig (connecting needs it); with
    // no choice, restore() only drops a terminal variable a previous session may have left.
    setImmediate(() => void (async () => {
      if (this.workspaceContext.savedChoice() && this.inventory.snapshot.kubeconfig.state === 'loading') await this.tree.refresh();
      await this.workspaceContext.restore();
    })());

    const ui: LifecycleUi = { inventory: this.inventory, logger, showLog, refresh: () => this.tree.refresh() };
    for (const disposable of registerCommands([
      new CreateVClusterCommand(ui, this.actions),
      new DeleteVClusterCommand(ui, this.actions),
      new PauseVClusterCommand(ui, this.actions),
      new ResumeVClusterCommand(ui, this.actions),
      new ConnectVClusterCommand(ui, this.actions),
      new DisconnectVClusterCommand(ui, this.actions),
      new UpgradeVClusterCommand(ui, this.actions),
      new OpenVirtualYamlCommand(),
      new OpenHostYamlCommand(),
      new CompareSidesCommand(),
      new OpenInspectorCommand(ui, () => inspectors),
      new SelectWorkspaceContextCommand(this.workspaceContext, this.inventory, () => this.tree.refresh(), logger, showLog),
      new UseInWorkspaceCommand(this.workspaceContext, logger, showLog),
      new ClearWorkspaceContextCommand(this.workspaceContext),
      new CreateKindClusterCommand(this.settings, logger, () => this.tree.refresh(), showLog),
      new DeleteKindClusterCommand(this.settings, logger, () => this.tree.refresh(), showLog),
      new RefreshCommand(this.tree),
      new ShowOutputCommand(channel),
      new SelectKubeconfigCommand(this.settings),
      new CheckToolsCommand(this.settings, logger, showLog),
      new OpenSettingsCommand(),
      new CopyContextNameCommand(),
    ], logger, showLog)) {
      this.register(disposable);
    }

    if (this.settings.workspaceUntrusted()) {
      logger.info('[workspace] this workspace is not trusted: its settings that choose programs, kubeconfig files, servers or chart sources, and its vcluster.workspace.context, apply once you trust it');
    }
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => {
      logger.info('[workspace] the workspace is trusted now: its settings apply');
      void this.tree.refresh();
      void this.workspaceContext.teamSettingChanged();
    }));
    this.register(vscode.workspace.onDidChangeConfiguration((event) => {
      if (this.settings.affectsInventory(event)) void this.tree.refresh();
      if (event.affectsConfiguration('vcluster.workspace.context')) void this.workspaceContext.teamSettingChanged();
    }));
  }
}
