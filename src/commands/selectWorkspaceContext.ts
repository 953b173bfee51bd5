import * as vscode from 'vscode';
import type { Logger } from '../process/log';
import { isDiscovering, type ClusterInventory } from '../vcluster/discovery/inventory';
import { contextOfChoice, sameChoice, type WorkspaceChoice } from '../workspace/workspaceChoice';
import type { WorkspaceContext } from '../workspace/workspaceContext';
import type { Command } from './command';
import { showLivePick } from './livePick';
import { switchWorkspaceContext } from './workspaceContextUi';

type Item = vscode.QuickPickItem & { choice?: WorkspaceChoice; clear?: true };

/**
 * The status bar's and the palette's switch: every context of the user's kubeconfig and every
 * vCluster found, the current one marked; or no workspace context at all.
 */
export class SelectWorkspaceContextCommand implements Command {
  readonly id = 'vcluster.selectWorkspaceContext';

  constructor(private readonly workspace: WorkspaceContext, private readonly inventory: ClusterInventory, private readonly refresh: () => Promise<unknown>, private readonly logger: Logger, private readonly showLog: () => void) {}

  async run(): Promise<void> {
    if (this.inventory.snapshot.kubeconfig.state === 'loading') void this.refresh();
    const status = this.workspace.status;
    const current = status.state === 'none' ? undefined : status.choice;
    // Shown at once; vClusters join as their hosts answer.
    const picked = await showLivePick<Item>({
      title: 'Cluster context for this workspace',
      placeHolder: 'This window and its terminals use the context you choose; other windows and your kubeconfig files do not change',
      matchOnDescription: true,
      items: () => this.items(current),
      busy: () => isDiscovering(this.inventory.snapshot),
      onDidChange: (listener) => this.inventory.onDidChange(() => listener()),
      key: (item) => (item.clear ? 'none' : item.choice ? contextOfChoice(item.choice) : item.label),
    });
    if (!picked) return;
    if (picked.clear) {
      await this.workspace.clear();
      return;
    }
    if (picked.choice) await switchWorkspaceContext(this.workspace, picked.choice, this.logger, this.showLog);
  }

  private items(current: WorkspaceChoice | undefined): Item[] {
    const mark = (choice: WorkspaceChoice) => (sameChoice(choice, current) ? '$(check) ' : '');
    const loaded = this.inventory.snapshot.kubeconfig;
    const items: Item[] = [];
    if (loaded.state === 'ok') {
      items.push({ label: 'Host contexts', kind: vscode.QuickPickItemKind.Separator });
      for (const context of loaded.contexts) {
        const choice: WorkspaceChoice = { kind: 'host', context: context.name };
        items.push({ label: `${mark(choice)}${context.name}`, description: context.server ?? context.problem ?? '', detail: context.name === loaded.currentContext ? 'current context of your kubeconfig' : undefined, choice });
      }
    }
    const vclusters = this.inventory.knownVClusters();
    if (vclusters.length > 0) {
      items.push({ label: 'vClusters', kind: vscode.QuickPickItemKind.Separator });
      for (const vcluster of vclusters) {
        const choice: WorkspaceChoice = { kind: 'vcluster', vcluster: { hostContext: vcluster.hostContext, namespace: vcluster.namespace, name: vcluster.name } };
        items.push({ label: `${mark(choice)}$(vm) ${vcluster.name}`, description: `${vcluster.status} · ${vcluster.namespace} · on ${vcluster.hostContext}`, detail: `context ${contextOfChoice(choice)} (connects when needed)`, choice });
      }
    }
    items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
    items.push({ label: `${current ? '' : '$(check) '}$(circle-slash) No workspace context`, description: 'use your kubeconfig as it is', clear: true });
    return items;
  }
}
