import type { KubeClient } from '../../kube/client';
import type { Logger } from '../../process/log';
import type { CoreBundle } from '../../coreBundle';
import type { VClusterSummary } from '../discovery/discoverVClusters';
import type { MappingSource } from './mappingSource';
import { vclusterKey } from '../identity';

export interface MappingSourcesOptions {
  loadCoreBundle: () => Promise<CoreBundle>;
  hostClient: (hostContext: string) => Promise<KubeClient>;
  /** The virtual cluster's client when it is connected; undefined otherwise (host markers only). */
  virtualClient: (vcluster: VClusterSummary) => Promise<KubeClient | undefined>;
  logger: Logger;
  onDidChange: (vcluster: VClusterSummary, changedIds: ReadonlySet<string> | undefined) => void;
}

export type MappingChangeListener = (vcluster: VClusterSummary, changedIds: ReadonlySet<string> | undefined) => void;

/**
 * One live MappingSource per vCluster, shared by the tree and the inspector (one set of watches
 * for both). Watches run only while someone looks: the tree view is visible, or an inspector
 * holds the vCluster; a vCluster that left the tree or changed connection gets its source
 * disposed, and listeners hear about the new one as a full change.
 */
export class MappingSources {
  private readonly sources = new Map<string, { source: MappingSource; vcluster: VClusterSummary; connected: boolean; listener: { dispose(): void } }>();
  private readonly listeners = new Set<MappingChangeListener>();
  /** Inspectors looking at a vCluster, by key: its watches run even when the tree is hidden. */
  private readonly holds = new Map<string, number>();
  private readonly creating = new Map<string, Promise<MappingSource>>();
  private visible = true;

  constructor(private readonly options: MappingSourcesOptions) {}

  /**
   * The source for this vCluster, created and started on first use. Concurrent calls (the tree
   * and an inspector at once) share one creation, so a vCluster never gets two sets of watches.
   */
  sourceFor(vcluster: VClusterSummary): Promise<MappingSource> {
    const key = vclusterKey(vcluster);
    const inFlight = this.creating.get(key);
    if (inFlight) return inFlight;
    const created = this.createOrReuse(key, vcluster).finally(() => this.creating.delete(key));
    this.creating.set(key, created);
    return created;
  }

  private async createOrReuse(key: string, vcluster: VClusterSummary): Promise<MappingSource> {
    const virtualClient = await this.options.virtualClient(vcluster);
    const existing = this.sources.get(key);
    if (existing && existing.connected === (virtualClient !== undefined)) return existing.source;
    this.drop(key);
    const { MappingSource } = await this.options.loadCoreBundle();
    const source = new MappingSource({
      vclusterName: vcluster.name,
      hostNamespace: vcluster.namespace,
      hostClient: await this.options.hostClient(vcluster.hostContext),
      ...(virtualClient ? { virtualClient } : {}),
      logger: this.options.logger,
    });
    const listener = source.onDidChange((changedIds) => this.emit(vcluster, changedIds));
    this.sources.set(key, { source, vcluster, connected: virtualClient !== undefined, listener });
    if (this.shouldRun(key)) source.start();
    if (existing) this.emit(vcluster, undefined);
    return source;
  }

  /** Told of every source's changes (the tree is told through the constructor's option). */
  onDidChange(listener: MappingChangeListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** Keeps this vCluster's watches running while the returned handle lives (an inspector in view). */
  hold(vcluster: VClusterSummary): { dispose(): void } {
    const key = vclusterKey(vcluster);
    this.holds.set(key, (this.holds.get(key) ?? 0) + 1);
    this.sources.get(key)?.source.start();
    let released = false;
    return {
      dispose: () => {
        if (released) return;
        released = true;
        const count = (this.holds.get(key) ?? 1) - 1;
        if (count > 0) this.holds.set(key, count);
        else this.holds.delete(key);
        if (!this.shouldRun(key)) this.sources.get(key)?.source.stop();
      },
    };
  }

  /** The running source, if the vCluster was expanded. */
  existing(vcluster: VClusterSummary): MappingSource | undefined {
    return this.sources.get(vclusterKey(vcluster))?.source;
  }

  setVisible(visible: boolean): void {
    if (visible === this.visible) return;
    this.visible = visible;
    for (const [key, { source }] of this.sources) {
      if (this.shouldRun(key)) source.start();
      else source.stop();
    }
  }

  private shouldRun(key: string): boolean {
    return this.visible || (this.holds.get(key) ?? 0) > 0;
  }

  private emit(vcluster: VClusterSummary, changedIds: ReadonlySet<string> | undefined): void {
    this.options.onDidChange(vcluster, changedIds);
    for (const listener of [...this.listeners]) listener(vcluster, changedIds);
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
    // Inspectors learn that the source is gone; the tree is not told, since it dropped it itself.
    for (const listener of [...this.listeners]) listener(entry.vcluster, undefined);
  }
}
