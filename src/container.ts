import { join } from 'node:path';
import * as vscode from 'vscode';
import { registerAllCommands } from './commands/allCommands';
import type { CoreBundle } from './coreBundle';
import { DisposableStore } from './disposables';
import type { ExtensionServices } from './extensionServices';
import { registerLogDocuments } from './documents/registerLogDocuments';
import { registerInspector } from './inspector/registerInspector';
import { kubeconfigPaths } from './kube/kubeconfigFiles';
import { KubeconfigWatcher } from './kubeconfigWatcher';
import { createOutputLogger } from './outputLogger';
import type { Logger } from './process/log';
import { Settings } from './settings';
import { registerClustersView } from './tree/registerClustersView';
import { ConnectionsKubeconfig } from './vcluster/connect/connectionsKubeconfig';
import { ClusterInventory } from './vcluster/discovery/inventory';
import { createVClusterServices } from './vcluster/vclusterServices';
import { registerWorkspaceContext } from './workspace/registerWorkspaceContext';

/**
 * dist/core-bundle.js, the separately bundled Kubernetes client (see coreBundle.ts). The path
 * is relative to dist/extension.js; esbuild leaves this require alone (esbuild.js).
 */
function loadCoreBundle(): Promise<CoreBundle> {
  // Deferred to a later turn of the event loop: a caller during activate() (reading the saved
  // connections, say) must not pull the 2 MB bundle into activation time.
  return new Promise((resolve, reject) => setImmediate(() => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a runtime path into dist/, by design
      resolve(require('./core-bundle.js') as CoreBundle);
    } catch (error) {
      reject(error);
    }
  }));
}

/**
 * The composition root: builds the shared services once, then lets each feature (the view, the
 * inspector, the window's context, the commands) register itself from its own folder. It owns
 * every disposable, so deactivation (or a failed activation) tears everything down.
 */
export class Container extends DisposableStore {
  readonly logger: Logger;

  constructor(extensionContext: vscode.ExtensionContext) {
    super();
    const { channel, logger } = createOutputLogger();
    this.register(channel);
    this.logger = logger;
    const settings = new Settings();
    const userKubeconfigPaths = () => kubeconfigPaths({ configured: settings.kubeconfigFiles(), kubeconfigEnv: process.env.KUBECONFIG });

    // The user's kubeconfig files, watched: a change reloads the view and rewrites this window's file.
    const kubeconfigWatcher = this.register(new KubeconfigWatcher(() => {
      void services.refresh();
      workspaceContext.scheduleRewrite();
    }));
    const inventory = this.register(new ClusterInventory({
      kubeconfigPaths: () => {
        const paths = userKubeconfigPaths();
        kubeconfigWatcher.update(paths);
        return paths;
      },
      requestTimeoutMs: () => settings.requestTimeoutMs(),
      logger,
      loadCoreBundle,
    }));
    const vclusters = createVClusterServices({
      loadCoreBundle,
      kubeconfig: () => {
        const loaded = inventory.snapshot.kubeconfig;
        return loaded.state === 'ok' ? { document: loaded.document, paths: loaded.files.map((file) => file.path) } : undefined;
      },
      tools: () => ({ vcluster: settings.toolPath('vcluster'), helm: settings.toolPath('helm'), preference: settings.provisionerPreference() }),
      chart: () => settings.chart(),
      // The extension's own kubeconfig for vCluster contexts; the user's files are never written.
      connections: new ConnectionsKubeconfig(join(extensionContext.globalStorageUri.fsPath, 'vclusters.kubeconfig'), loadCoreBundle),
      connectServers: () => settings.connectServers(),
      logger,
      requestTimeoutMs: () => settings.requestTimeoutMs(),
    });
    this.register(vclusters);
    void vclusters.connector.loadConnections();
    // Other windows (each its own extension host) connect and disconnect in the same file: this
    // window sees their connections as they happen, as it sees its own.
    this.register(new KubeconfigWatcher(() => void vclusters.connector.loadConnections())).update([vclusters.connector.connectionsFile]);

    const services: ExtensionServices = {
      extensionContext,
      disposables: { register: (disposable) => this.register(disposable) },
      logger,
      showLog: () => channel.show(true),
      settings,
      inventory,
      vclusters,
      loadCoreBundle,
      userKubeconfigPaths,
      refresh: () => view.tree.refresh(),
    };
    const view = registerClustersView(services);
    const inspectors = registerInspector(services, view);
    registerLogDocuments(services);
    const workspaceContext = registerWorkspaceContext(services);
    registerAllCommands(services, { tree: view.tree, mappingSources: view.mappingSources, inspectors, workspaceContext, channel });

    if (settings.workspaceUntrusted()) {
      logger.info('[workspace] this workspace is not trusted: its settings that choose programs, kubeconfig files, servers or chart sources, and its vcluster.workspace.context, apply once you trust it');
    }
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => {
      logger.info('[workspace] the workspace is trusted now: its settings apply');
      void services.refresh();
    }));
    this.register(vscode.workspace.onDidChangeConfiguration((event) => {
      if (settings.affectsInventory(event)) void services.refresh();
    }));
  }
}
