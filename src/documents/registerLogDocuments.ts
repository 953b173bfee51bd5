import * as vscode from 'vscode';
import type { ExtensionServices } from '../extensionServices';
import { LOG_SCHEME, LogDocuments } from './logDocuments';

/** Log tabs (vcluster-log:): each follows its container's log until it is closed. */
export function registerLogDocuments(services: ExtensionServices): LogDocuments {
  const documents = services.disposables.register(new LogDocuments({
    loadCoreBundle: services.loadCoreBundle,
    hostClient: services.vclusters.hostClient,
    virtualClient: (vcluster) => services.vclusters.connector.virtualClient(vcluster),
    logger: services.logger,
  }));
  services.disposables.register(vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, documents));
  return documents;
}
