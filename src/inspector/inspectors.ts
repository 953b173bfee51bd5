import * as vscode from 'vscode';
import { DisposableStore } from '../disposables';
import { INSPECTOR_VIEW_TYPE, InspectorPanel, inspectorTitle, type InspectorFocus, type InspectorServices } from './inspectorPanel';
import { type VClusterRef, vclusterKey } from '../vcluster/identity';

/** The part of the webview's saved state the extension reads to restore a panel after a reload. */
function savedVCluster(state: unknown): VClusterRef | undefined {
  const vcluster = (state as { vcluster?: unknown } | undefined)?.vcluster as Record<string, unknown> | undefined;
  if (!vcluster || typeof vcluster !== 'object') return undefined;
  const { hostContext, namespace, name } = vcluster;
  return typeof hostContext === 'string' && typeof namespace === 'string' && typeof name === 'string' && hostContext && namespace && name
    ? { hostContext, namespace, name }
    : undefined;
}

/**
 * The open inspectors, one per vCluster: opening one again brings it forward instead of making a
 * second. Panels come back after a window reload (a serializer reads the vCluster from the
 * webview's saved state).
 */
export class Inspectors extends DisposableStore {
  private readonly panels = new Map<string, InspectorPanel>();

  constructor(private readonly services: InspectorServices) {
    super();
    this.register(vscode.window.registerWebviewPanelSerializer(INSPECTOR_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        const vcluster = savedVCluster(state);
        if (!vcluster || this.panels.has(vclusterKey(vcluster))) {
          panel.dispose();
          return;
        }
        this.adopt(panel, vcluster);
      },
    }));
    this.register({ dispose: () => { for (const panel of [...this.panels.values()]) panel.dispose(); } });
  }

  open(vcluster: VClusterRef, focus?: InspectorFocus): InspectorPanel {
    const existing = this.panels.get(vclusterKey(vcluster));
    if (existing) {
      existing.show(focus);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(INSPECTOR_VIEW_TYPE, inspectorTitle(vcluster), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.services.extensionUri, 'dist', 'webview')],
      enableFindWidget: false,
    });
    return this.adopt(panel, vcluster, focus);
  }

  private adopt(webviewPanel: vscode.WebviewPanel, vcluster: VClusterRef, focus?: InspectorFocus): InspectorPanel {
    const key = vclusterKey(vcluster);
    const panel = new InspectorPanel(webviewPanel, { hostContext: vcluster.hostContext, namespace: vcluster.namespace, name: vcluster.name }, this.services, focus);
    this.panels.set(key, panel);
    panel.onDidDispose(() => {
      if (this.panels.get(key) === panel) this.panels.delete(key);
    });
    return panel;
  }
}
