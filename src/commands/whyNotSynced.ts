import * as vscode from 'vscode';
import type { CoreBundle } from '../coreBundle';
import type { ReportDocuments } from '../documents/reportDocuments';
import { redactedMessage } from '../process/redact';
import type { MappingPairNode } from '../tree/mappingNodes';
import type { MappingSources } from '../vcluster/mapping/mappingSources';
import type { VClusterServices } from '../vcluster/vclusterServices';
import type { Command } from './command';
import { withLifecycleProgress, type LifecycleUi } from './lifecycleUi';

export const WHY_SCHEME = 'vcluster-why';

function isPairNode(value: unknown): value is MappingPairNode {
  return (value as MappingPairNode | undefined)?.kind === 'mappingPair';
}

/**
 * "Why Is This Not Synced?" on a pending, failed or virtual-only pair (tree or inspector): one
 * document with a plain verdict and the facts behind it — the kind's sync config, events on both
 * sides, the syncer's log lines naming the object, the host name it should get.
 */
export class WhyNotSyncedCommand implements Command {
  readonly id = 'vcluster.whyNotSynced';

  constructor(
    private readonly ui: LifecycleUi,
    private readonly vclusters: VClusterServices,
    private readonly mappingSources: MappingSources,
    private readonly reports: ReportDocuments,
    private readonly loadCoreBundle: () => Promise<CoreBundle>,
  ) {}

  async run(node?: unknown): Promise<boolean> {
    if (!isPairNode(node)) {
      void vscode.window.showInformationMessage('Choose a pending or failed object in a vCluster\'s mapping (vCluster view or mapping inspector).');
      return false;
    }
    const { vcluster } = node;
    const source = await this.mappingSources.sourceFor(vcluster);
    // The live pair (the node may be a moment old): its status and events now.
    const pair = source.pairs.find((candidate) => candidate.id === node.pair.id) ?? node.pair;
    const objectName = pair.virtual?.name ?? pair.host?.name ?? '';
    try {
      const text = await withLifecycleProgress(`Finding out why ${pair.kind} ${objectName} is not synced…`, async ({ signal }) => {
        const [core, hostClient] = await Promise.all([this.loadCoreBundle(), this.vclusters.hostClient(vcluster.hostContext)]);
        const status = source.status;
        const report = await core.gatherWhyNotSynced({
          hostClient, pair, vcluster: { name: vcluster.name, namespace: vcluster.namespace, status: vcluster.status },
          sync: source.syncConfig, events: source.eventsFor(pair.id), eventNotes: source.eventNotes(),
          virtualReachable: status.state === 'ready' && status.virtualReachable, signal: signal!,
        }).catch((error: unknown) => {
          if (signal?.aborted) return undefined;
          throw error;
        });
        if (!report) return undefined;
        this.ui.logger.info(`why not synced: ${pair.id} in ${vcluster.namespace}/${vcluster.name}: ${report.verdict.cause}`);
        return core.whyNotSyncedText(report);
      });
      if (text === undefined) return false;
      const uri = vscode.Uri.from({
        scheme: WHY_SCHEME,
        path: `/${encodeURIComponent(vcluster.name)}/${encodeURIComponent(pair.kind)} ${encodeURIComponent(objectName)}.md`,
        query: new URLSearchParams({ context: vcluster.hostContext, namespace: vcluster.namespace, pair: pair.id }).toString(),
      });
      await this.reports.show(uri, text, 'markdown');
      return true;
    } catch (error) {
      const message = redactedMessage(error);
      this.ui.logger.warn(`why not synced: ${pair.id}: ${message}`);
      void vscode.window.showWarningMessage(`Could not find out why ${pair.kind} ${objectName} is not synced: ${message.split('\n')[0]}`);
      return false;
    }
  }
}
