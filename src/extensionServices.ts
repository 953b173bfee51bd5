import type * as vscode from 'vscode';
import type { CoreBundle } from './coreBundle';
import type { Logger } from './process/log';
import type { Settings } from './settings';
import type { ClusterInventory } from './vcluster/discovery/inventory';
import type { VClusterServices } from './vcluster/vclusterServices';

/**
 * The services the container builds once and every feature (tree, inspector, workspace context,
 * commands) is given. Features register their own disposables on `disposables`.
 */
export interface ExtensionServices {
  extensionContext: vscode.ExtensionContext;
  disposables: { register<T extends { dispose(): unknown }>(disposable: T): T };
  logger: Logger;
  showLog: () => void;
  settings: Settings;
  inventory: ClusterInventory;
  vclusters: VClusterServices;
  loadCoreBundle: () => Promise<CoreBundle>;
  /** The user's kubeconfig files: the setting, else KUBECONFIG, else ~/.kube/config. */
  userKubeconfigPaths: () => string[];
  /** Reloads the kubeconfig and rediscovers every host (through the tree, which waits on it). */
  refresh: () => Promise<unknown>;
}
