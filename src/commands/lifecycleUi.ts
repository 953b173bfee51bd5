import * as vscode from 'vscode';
import type { Logger } from '../process/log';
import type { ClustersTreeNode } from '../tree/clustersTreeProvider';
import type { VClusterSummary } from '../vcluster/discovery/discoverVClusters';
import { isDiscovering, type ClusterInventory } from '../vcluster/discovery/inventory';
import type { Progress } from '../vcluster/lifecycle/vclusterLifecycle';
import { statusTone } from '../vcluster/discovery/status';
import { showLivePick } from './livePick';
import { vclusterKey, type VClusterRef } from '../vcluster/identity';

/** What the lifecycle commands share: finding their target and running with progress. */

export interface LifecycleUi {
  inventory: ClusterInventory;
  logger: Logger;
  showLog: () => void;
  /** Rediscovers so the tree shows the result. */
  refresh: () => Promise<unknown>;
}

/**
 * After an operation the vCluster's pods take a while to follow (Pending → Running, Terminating
 * → gone). The inventory watches the vCluster's host meanwhile (even with the view hidden), so the
 * tree shows each transitional status as it happens and the pickers know the outcome; this waits
 * until `settled` holds for the vCluster (undefined when it is gone), for at most 90 s, and
 * never asks the host again in a loop.
 */
export function followUntilSettled(
  ui: LifecycleUi,
  ref: VClusterRef,
  settled: (vcluster: VClusterSummary | undefined) => boolean,
  timeoutMs = 90_000,
): Promise<boolean> {
  return ui.inventory.awaitVCluster(ref, settled, timeoutMs);
}

/** Settled: no longer starting or stopping (Running, Paused, failed…), or gone. */
export function isSettled(vcluster: VClusterSummary | undefined): boolean {
  return vcluster === undefined || statusTone(vcluster.status) !== 'progressing';
}

/**
 * The vCluster a command acts on: the tree item it was run on, or one the user picks. `eligible`
 * narrows the pick (pause offers running vClusters only); undefined when the user backs out.
 */
export async function targetVCluster(
  ui: LifecycleUi,
  arg: unknown,
  title: string,
  eligible: (vcluster: VClusterSummary) => boolean = () => true,
): Promise<VClusterSummary | undefined> {
  const node = arg as ClustersTreeNode | undefined;
  if (node && typeof node === 'object' && node.kind === 'vcluster') return node.vcluster;
  if (ui.inventory.snapshot.kubeconfig.state === 'loading') void ui.refresh();
  const candidates = () => ui.inventory.knownVClusters().filter(eligible);
  if (candidates().length === 0 && !isDiscovering(ui.inventory.snapshot)) {
    void vscode.window.showInformationMessage(`${title}: no vCluster to choose from.`);
    return undefined;
  }
  // Discovery may still be answering (just after start-up, or a refresh): the pick fills in.
  const picked = await showLivePick({
    title,
    placeHolder: 'Choose a vCluster',
    emptyPlaceHolder: 'No vCluster to choose from',
    matchOnDescription: true,
    matchOnDetail: true,
    items: () => candidates().map((vcluster) => ({
      label: vcluster.name,
      description: `${vcluster.status} · ${vcluster.namespace}`,
      detail: vcluster.hostContext,
      vcluster,
    })),
    busy: () => isDiscovering(ui.inventory.snapshot),
    onDidChange: (listener) => ui.inventory.onDidChange(() => listener()),
    key: (item) => vclusterKey(item.vcluster),
  });
  return picked?.vcluster;
}

/**
 * Runs a long operation with a notification that shows the latest step and can be cancelled;
 * every line the tools print goes to the output channel as it arrives.
 */
export function withLifecycleProgress<T>(
  title: string,
  operation: (progress: Progress) => Promise<T>,
  cancellable = true,
): Thenable<T> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable },
    (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      return operation({
        signal: controller.signal,
        report: (message) => progress.report({ message }),
      });
    },
  );
}

/** A values file from the workspace, another file, or none; undefined when the user backs out. */
export async function pickValuesFile(title: string): Promise<string[] | undefined> {
  const found = await vscode.workspace.findFiles('**/*.{yaml,yml}', '**/{node_modules,.git}/**', 200);
  type Item = vscode.QuickPickItem & { files?: string[]; browse?: boolean };
  const items: Item[] = [
    { label: 'No values file', description: 'the chart\'s defaults', files: [] },
    ...found.sort((a, b) => a.fsPath.localeCompare(b.fsPath)).map((uri) => ({ label: vscode.workspace.asRelativePath(uri), files: [uri.fsPath] })),
    { label: 'Browse…', browse: true },
  ];
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Values file for the vcluster chart' });
  if (!picked) return undefined;
  if (!picked.browse) return picked.files;
  const chosen = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: { YAML: ['yaml', 'yml'] } });
  return chosen?.[0] ? [chosen[0].fsPath] : undefined;
}

/**
 * A paused (or scaled-down) vCluster cannot answer what a command needs: says what that means for
 * it and offers *Resume*. True when it was paused (the command stops there).
 */
export async function offerResumeIfPaused(vcluster: VClusterSummary, consequence: string): Promise<boolean> {
  if (statusTone(vcluster.status) !== 'paused') return false;
  const choice = await vscode.window.showInformationMessage(`vCluster ${vcluster.name} is ${vcluster.status.toLowerCase()}: ${consequence}`, 'Resume');
  if (choice === 'Resume') await vscode.commands.executeCommand('vcluster.resumeVCluster', vcluster);
  return true;
}
