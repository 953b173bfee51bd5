import * as vscode from 'vscode';
import type { KubeClient } from '../kube/client';
import type { VClusterSummary } from '../vcluster/discovery/discoverVClusters';
import { OPERATION_ACTIVITY } from '../vcluster/lifecycle/operationTracker';
import type { Progress } from '../vcluster/lifecycle/vclusterLifecycle';
import type { MappingSources } from '../vcluster/mapping/mappingSources';
import {
  cleanupSummary, deleteOrphans, describeHostObject, orphanCandidates, orphanListText, orphanSearchProblem, recheckOrphans, settledMappingState,
  type OrphanCheck, type OrphanDeletion,
} from '../vcluster/mapping/orphanCleanup';
import type { VClusterServices } from '../vcluster/vclusterServices';
import type { Command } from './command';
import { offerResumeIfPaused, targetVCluster, withLifecycleProgress, type LifecycleUi } from './lifecycleUi';

const TITLE = 'Clean Up Orphaned Host Objects';
/** How long the vCluster's mapping may take to load (its first lists) before the search gives up. */
const MAPPING_WAIT_MS = 60_000;

/**
 * *Clean Up Orphaned Host Objects…*: deletes the host objects the syncer left behind when their
 * virtual objects were deleted or replaced while it could not act (stopped, crashed, cut off from
 * the host). Needs the virtual cluster (connected): only it tells an orphan from a synced object.
 * Lists them, asks once naming each, then deletes with progress and cancellation; each result
 * goes to the output log.
 */
export class CleanUpOrphansCommand implements Command {
  readonly id = 'vcluster.cleanUpOrphans';

  constructor(private readonly ui: LifecycleUi, private readonly vclusters: VClusterServices, private readonly mappingSources: MappingSources) {}

  async run(arg?: unknown): Promise<boolean> {
    const vcluster = await targetVCluster(this.ui, arg, TITLE);
    if (!vcluster || !await this.readyForCleanUp(vcluster)) return false;
    const virtual = await this.vclusters.connector.virtualClient(vcluster);
    if (!virtual) throw new Error(`vCluster ${vcluster.name}'s connection could not be read: connect to it again, then clean up.`);
    const label = `vCluster ${vcluster.name} (${vcluster.namespace} on ${vcluster.hostContext})`;
    // Keeps the mapping's watches running while this command needs them, the view hidden or not.
    const hold = this.mappingSources.hold(vcluster);
    try {
      const check = await withLifecycleProgress(`Looking for orphaned host objects of vCluster ${vcluster.name}`, (progress) =>
        this.find(vcluster, virtual, progress).catch((error: unknown) => {
          if (progress.signal?.aborted) return undefined;
          throw error;
        }));
      if (!check) return false;
      this.logCheck(label, check);
      const unreadable = check.unreadable.length > 0 ? ` ${check.unreadable.map((entry) => entry.kind).join(', ')} could not be read again; see the output log.` : '';
      if (check.orphans.length === 0) {
        void vscode.window.showInformationMessage(`No orphaned host objects in ${label}.${unreadable}`);
        return false;
      }
      if (!await this.confirm(vcluster, check)) return false;
      return await this.deleteConfirmed(vcluster, label, check);
    } finally {
      hold.dispose();
    }
  }

  /** Whether the clean-up may start: nothing else running on the vCluster, its virtual cluster up and connected (offers to resume or connect). */
  private async readyForCleanUp(vcluster: VClusterSummary): Promise<boolean> {
    const busy = this.vclusters.tracker.current(vcluster);
    if (busy) {
      void vscode.window.showInformationMessage(`vCluster ${vcluster.name} is busy ${OPERATION_ACTIVITY[busy]}: clean up once that has finished.`);
      return false;
    }
    if (await offerResumeIfPaused(vcluster, 'its virtual cluster is not running, so an orphaned host object cannot be told from a synced one.')) return false;
    if (this.vclusters.connector.isConnected(vcluster)) return true;
    const choice = await vscode.window.showInformationMessage(`${TITLE} reads vCluster ${vcluster.name}'s virtual cluster to tell an orphan from a synced object: connect to it first.`, 'Connect');
    if (choice !== 'Connect') return false;
    const { hostContext, namespace, name } = vcluster;
    await vscode.commands.executeCommand('vcluster.connectVCluster', { hostContext, namespace, name });
    return this.vclusters.connector.isConnected(vcluster);
  }

  /** The live mapping's orphans, confirmed by a fresh read of both clusters. */
  private async find(vcluster: VClusterSummary, virtual: KubeClient, progress: Progress): Promise<OrphanCheck> {
    const signal = progress.signal ?? new AbortController().signal;
    progress.report?.('reading the mapping…');
    const source = await this.mappingSources.sourceFor(vcluster);
    const problem = orphanSearchProblem(await settledMappingState(source, signal, MAPPING_WAIT_MS));
    if (problem) throw new Error(`Cannot look for orphaned host objects of vCluster ${vcluster.name}: ${problem}.`);
    const candidates = orphanCandidates(source.pairs);
    if (candidates.length === 0) return { orphans: [], dropped: [], unreadable: [] };
    progress.report?.(`checking ${candidates.length} against both clusters…`);
    const host = await this.vclusters.hostClient(vcluster.hostContext);
    return recheckOrphans({ host, virtual, vclusterName: vcluster.name, hostNamespace: vcluster.namespace }, candidates, signal);
  }

  private logCheck(label: string, check: OrphanCheck): void {
    const { logger } = this.ui;
    for (const { orphan, reason } of check.dropped) logger.info(`[clean-up] ${label}: not offered: ${describeHostObject(orphan)}: ${reason}`);
    for (const { kind, reason } of check.unreadable) logger.warn(`[clean-up] ${label}: ${kind} could not be read again (${reason}); none of its host objects is offered`);
    // All of them, before the confirmation (which names the first twenty) is shown.
    if (check.orphans.length > 0) logger.info(`[clean-up] ${label}: ${check.orphans.length} orphaned host object(s): ${check.orphans.map(describeHostObject).join(', ')}`);
  }

  private async confirm(vcluster: VClusterSummary, check: OrphanCheck): Promise<boolean> {
    const count = check.orphans.length;
    const objects = count === 1 ? 'object' : 'objects';
    const choice = await vscode.window.showWarningMessage(
      `Delete ${count} orphaned host ${objects} of vCluster ${vcluster.name} on ${vcluster.hostContext}?`,
      {
        modal: true,
        detail: `The syncer made these host objects, and their virtual objects are gone or were replaced:\n${orphanListText(check.orphans)}\n\n`
          + (check.unreadable.length > 0 ? `Not looked at: ${check.unreadable.map((entry) => entry.kind).join(', ')} (could not be read again; see the output log).\n\n` : '')
          + 'Each is deleted only if it is still the same object (its uid): one made again under the same name is kept. This cannot be undone.',
      },
      'Delete',
    );
    return choice === 'Delete';
  }

  private async deleteConfirmed(vcluster: VClusterSummary, label: string, check: OrphanCheck): Promise<boolean> {
    const { logger } = this.ui;
    logger.info(`[clean-up] ${label}: confirmed; deleting ${check.orphans.length} orphaned host object(s)`);
    const host = await this.vclusters.hostClient(vcluster.hostContext);
    const report = await withLifecycleProgress(`Deleting orphaned host objects of vCluster ${vcluster.name}`, ({ signal, report: show }) =>
      deleteOrphans(host, check.orphans, {
        signal: signal ?? new AbortController().signal,
        onDeleted: (deletion, done, total) => {
          show?.(`${done}/${total}: ${describeHostObject(deletion.orphan)}`);
          logDeletion(this.ui.logger, label, deletion);
        },
      }));
    const summary = `${label}: ${cleanupSummary(report)}`;
    if (report.counts.notAttempted > 0) logger.info(`[clean-up] not attempted: ${report.deletions.filter((deletion) => deletion.outcome === 'notAttempted').map((deletion) => describeHostObject(deletion.orphan)).join(', ')}`);
    logger.info(`[clean-up] ${summary}`);
    if (report.counts.failed > 0) {
      void vscode.window.showWarningMessage(summary, 'Show Output Log').then((choice) => {
        if (choice === 'Show Output Log') this.ui.showLog();
      });
    } else {
      void vscode.window.showInformationMessage(summary);
    }
    return report.counts.deleted > 0;
  }
}

function logDeletion(logger: LifecycleUi['logger'], label: string, deletion: OrphanDeletion): void {
  const what = `[clean-up] ${label}: ${describeHostObject(deletion.orphan)}`;
  switch (deletion.outcome) {
    case 'deleted':
      logger.info(`${what}: deleted${deletion.message ? `, ${deletion.message}` : ''}`);
      return;
    case 'alreadyGone':
      logger.info(`${what}: already gone (deleted by someone else)`);
      return;
    case 'recreated':
      logger.info(`${what}: ${deletion.message ?? 'kept'}`);
      return;
    case 'failed':
      logger.warn(`${what}: failed: ${deletion.message ?? 'unknown error'}`);
      return;
    case 'notAttempted':
      return;
  }
}
