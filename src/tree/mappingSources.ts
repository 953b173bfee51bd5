import type { KubeClient } from '../kube/client';
import type { Logger } from '../process/log';
import type { Backend } from '../vcluster/backend';
import type { VClusterSummary } from '../vcluster/discovery';
import type { MappingSource } from '../vcluster/mappingSource';
import { vclusterKey } from '../vcluster/operations';

export interface MappingSourcesOptions {
  loadBackend: () => Promise<Backend>;
  hostClient: (hostContext: string) => Promise<KubeClient>;
  /** The virtual cluster's client when it is connected; undefined otherwise (host markers only). */
  virtualClient: (vcluster: VClusterSummary) => Promise<KubeClient | undefined>;
  logger: Logger;
  onDidChange: (vcluster: VClusterSummary, changedIds: ReadonlySet<string> | undefined) => void;
}

/**
 * One live MappingSource per expanded vCluster. Watches run only while the view is visible
 * (stopped when it is hidden, resumed when shown), and a vCluster that left the tree or changed
 * connection gets its source disposed.
 */
export class MappingSources {
  private readonly sources = new Map<string, { source: MappingSource; vcluster: VClusterSummary; connected: boolean; listener: { dispose(): void } }>();
  private visible = true;

  constructor(private readonly options: MappingSourcesOptions) {}

  /** The source for this vCluster, created and started on first use. */
  async sourceFor(vcluster: VClusterSummary): Promise<MappingSource> {
    const key = vclusterKey(vcluster);
    const virtualClient = await this.options.virtualClient(vcluster);
    const existing = this.sources.get(key);
    if (existing && existing.connected === (virtualClient !== undefined)) return existing.source;
    this.drop(key);
    const { MappingSource } = await this.options.loadBackend();
    const source = new MappingSource({
      vclusterName: vcluster.name,
      hostNamespace: vcluster.namespace,
      hostClient: await this.options.hostClient(vcluster.hostContext),
      ...(virtualClient ? { virtualClient } : {}),
      logger: this.options.logger,
    });
    const listener = source.onDidChange((changedIds) => this.options.onDidChange(vcluster, changedIds));
    this.sources.set(key, { source, vcluster, connected: virtualClient !== undefined, listener });
    if (this.visible) source.start();
    return source;
  }

  /** The running source, if the vCluster was expanded. */
  existing(vcluster: VClusterSummary): MappingSource | undefined {
    return this.sources.get(vclusterKey(vcluster))?.source;
  }

  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    for (const { source } of this.sources.values()) {
      if (visible) source.start();
      else source.stop();
    }
  }

  /** Disposes the sources of vClusters that are gone from the tree. */
  retainOnly(present: ReadonlySet<string>): void {
    for (const key of [...this.sources.keys()]) if (!present.has(key)) this.drop(key);
  }

  /** Forgets a vCluster's source (its connection changed, or it was deleted). */
  reset(vcluster: VClusterSummary): void {
    this.drop(vclusterKey(vcluster));
  }

  dispose(): void {
    for (const key of [...this.sources.keys()]) this.drop(key);
  }

  private drop(key: string): void {
    const entry = this.sources.get(key);
    if (!entry) return;
    this.sources.delete(key);
    entry.listener.dispose();
    entry.source.dispose();
  }
}
