import * as vscode from 'vscode';
import { DisposableStore } from '../disposables';
import type { VClusterServices } from '../vcluster/vclusterServices';
import { hasNothingToShow, type ClusterInventory, type HostState } from '../vcluster/discovery/inventory';
import { ContextKeys } from './contextValues';
import { hostContextNode, hostContextTreeItem, type HostContextNode } from './hostContextNode';
import type { MappingChildren } from './mappingChildren';
import { mappingTreeItem, type MappingNode, type MappingPairNode } from './mappingNodes';
import type { MappingPair } from '../vcluster/mapping/mapping';
import { vclusterNode, vclusterTooltip, vclusterTreeItem, type VClusterItemState, type VClusterNode } from './vclusterNode';
import type { VClusterSummary } from '../vcluster/discovery/discoverVClusters';
import { describeKubeError } from '../kube/errors';
import type { VClusterRef } from '../vcluster/identity';
import type { SleepSettingsReading } from '../vcluster/describe/readSleepSettings';

export type ClustersTreeNode = HostContextNode | VClusterNode | MappingNode;

/** How long the first render waits for discovery before showing hosts still loading. */
const FIRST_RENDER_WAIT_MS = 2000;
/** A tooltip waits this long for the sleep settings; past it, it says they could not be read. */
export const TOOLTIP_READ_TIMEOUT_MS = 5000;

/** Reads a vCluster's sleep settings from its config (the core's readSleepSettings, over a host client). */
export type ReadSleepSettings = (vcluster: VClusterRef, signal: AbortSignal) => Promise<SleepSettingsReading>;

/**
 * Turns the inventory's events into tree refreshes. The model caches; this only maps snapshots
 * to nodes, refreshing the one host that changed where it can and coalescing bursts.
 */
export class ClustersTreeProvider extends DisposableStore implements vscode.TreeDataProvider<ClustersTreeNode> {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<ClustersTreeNode | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private pendingRefresh: Promise<unknown> | undefined;
  private coalesceTimer: NodeJS.Timeout | undefined;
  private readonly nodesByContext = new Map<string, HostContextNode>();
  private lastRootWasEmpty = true;
  /** vCluster nodes by id: VS Code refreshes an element by identity, so each id keeps one object. */
  private readonly vclusterNodes = new Map<string, VClusterNode>();
  /** What the root and each host showed when last drawn (see scheduleChange). */
  private drawnRoot: string | undefined;
  private readonly drawnHosts = new Map<string, string>();

  constructor(
    private readonly inventory: ClusterInventory,
    private readonly vclusters: Pick<VClusterServices, 'tracker' | 'connector'>,
    private readonly mapping: MappingChildren,
    private readonly readSleepSettings: ReadSleepSettings,
  ) {
    super();
    this.register(inventory.onDidChange((contextName) => this.scheduleChange(contextName)));
    // An operation starting or ending, or a connection, changes how a vCluster is shown.
    this.register(vclusters.tracker.onDidChange((ref) => this.scheduleChange(ref.hostContext)));
    this.register(vclusters.connector.onDidChangeConnections(() => this.scheduleChange(undefined)));
    this.register({ dispose: () => clearTimeout(this.coalesceTimer) });
  }

  /** Reloads kubeconfig and rediscovers; resolves when every host answered or timed out. */
  refresh(): Promise<unknown> {
    this.pendingRefresh = this.inventory.refresh();
    return this.pendingRefresh;
  }

  getTreeItem(node: ClustersTreeNode): vscode.TreeItem {
    if (node.kind === 'hostContext') return hostContextTreeItem(node);
    if (node.kind !== 'vcluster') return mappingTreeItem(node);
    return vclusterTreeItem(node, this.itemState(node.vcluster));
  }

  private itemState(vcluster: VClusterSummary): VClusterItemState {
    return { connected: this.vclusters.connector.isConnected(vcluster), operation: this.vclusters.tracker.current(vcluster) };
  }

  /**
   * A vCluster's tooltip, made when it is hovered: the sleep settings are in its config, one read
   * that only a hover pays for (bounded by TOOLTIP_READ_TIMEOUT_MS; VS Code keeps the answer until
   * the row is redrawn). Other rows have their tooltips already.
   */
  async resolveTreeItem(item: vscode.TreeItem, node: ClustersTreeNode, token: vscode.CancellationToken): Promise<vscode.TreeItem> {
    if (node.kind !== 'vcluster' || item.tooltip !== undefined) return item;
    const controller = new AbortController();
    const cancelled = token.onCancellationRequested(() => controller.abort());
    const { vcluster } = node;
    let settings: SleepSettingsReading;
    try {
      settings = await this.readSleepSettings(vcluster, AbortSignal.any([controller.signal, AbortSignal.timeout(TOOLTIP_READ_TIMEOUT_MS)]));
    } catch (error) {
      // No client for the context (it left the kubeconfig), or the read was cut short.
      settings = { state: 'unavailable', problem: describeKubeError(error, TOOLTIP_READ_TIMEOUT_MS / 1000).message };
    } finally {
      cancelled.dispose();
    }
    item.tooltip = vclusterTooltip(vcluster, this.itemState(vcluster), settings);
    return item;
  }

  getParent(node: ClustersTreeNode): ClustersTreeNode | undefined {
    if (node.kind === 'hostContext') return undefined;
    if (node.kind === 'vcluster') return this.nodesByContext.get(node.vcluster.hostContext);
    return this.mapping.parentOf(node) ?? this.vclusterNodeFor(node.vcluster);
  }

  /** The tree's node for a pair, for TreeView.reveal (which walks up with getParent). */
  pairNode(vcluster: VClusterSummary, pair: MappingPair): MappingPairNode {
    return this.mapping.pairNode(vcluster, pair);
  }

  private vclusterNodeFor(vcluster: VClusterSummary): VClusterNode {
    const fresh = vclusterNode(vcluster);
    const kept = this.vclusterNodes.get(fresh.id);
    if (kept) return kept;
    this.vclusterNodes.set(fresh.id, fresh);
    return fresh;
  }

  /** A mapping source changed: refresh the namespaces it touched, or the vCluster. */
  mappingChanged(vcluster: VClusterSummary, changedIds: ReadonlySet<string> | undefined): void {
    const vclusterNodeNow = this.vclusterNodes.get(vclusterNode(vcluster).id);
    if (!vclusterNodeNow) return;
    const namespaces = this.mapping.nodesToRefresh(vcluster, changedIds);
    if (!namespaces) this.changeEmitter.fire(vclusterNodeNow);
    else for (const node of namespaces) this.changeEmitter.fire(node);
  }

  async getChildren(node?: ClustersTreeNode): Promise<ClustersTreeNode[]> {
    if (node?.kind === 'vcluster') return this.mapping.childrenOfVCluster(node.vcluster);
    if (node?.kind === 'mappingNamespace') return this.mapping.childrenOfNamespace(node);
    if (node?.kind === 'mappingKind') return this.mapping.childrenOfKind(node);
    if (node?.kind === 'mappingPair' || node?.kind === 'mappingMessage') return [];
    if (node?.kind === 'hostContext') {
      const host = this.inventory.snapshot.hosts.find((entry) => entry.context.name === node.host.context.name);
      const vclusters = host?.discovery.state === 'ok' ? host.discovery.result.vclusters : [];
      if (host) this.drawnHosts.set(host.context.name, this.hostKey(host));
      return vclusters.map((vcluster) => {
        const kept = this.vclusterNodeFor(vcluster);
        kept.vcluster = vcluster;
        return kept;
      });
    }
    if (!this.pendingRefresh) this.refresh();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.pendingRefresh, new Promise((resolve) => { timer = setTimeout(resolve, FIRST_RENDER_WAIT_MS); })]);
    clearTimeout(timer);
    const snapshot = this.inventory.snapshot;
    await this.setKubeconfigState(snapshot.kubeconfig.state);
    this.nodesByContext.clear();
    this.drawnRoot = this.rootKey();
    this.drawnHosts.clear();
    for (const host of snapshot.hosts) this.drawnHosts.set(host.context.name, this.hostKey(host));
    if (hasNothingToShow(snapshot)) {
      this.lastRootWasEmpty = true;
      this.mapping.retainOnly([]);
      this.vclusterNodes.clear();
      return [];
    }
    this.lastRootWasEmpty = false;
    // Live sources of vClusters that are gone (deleted, context removed) stop here.
    const present = snapshot.hosts.flatMap((host) => (host.discovery.state === 'ok' ? host.discovery.result.vclusters : host.discovery.state === 'loading' ? [...this.vclusterNodes.values()].map((kept) => kept.vcluster).filter((vcluster) => vcluster.hostContext === host.context.name) : []));
    this.mapping.retainOnly(present);
    const presentIds = new Set(present.map((vcluster) => vclusterNode(vcluster).id));
    for (const id of [...this.vclusterNodes.keys()]) if (!presentIds.has(id)) this.vclusterNodes.delete(id);
    return snapshot.hosts.map((host) => {
      const hostNode = hostContextNode(host);
      this.nodesByContext.set(host.context.name, hostNode);
      return hostNode;
    });
  }

  private async setKubeconfigState(state: string): Promise<void> {
    await vscode.commands.executeCommand('setContext', ContextKeys.kubeconfigState, state);
  }

  /**
   * One host changing refreshes that host's node; anything that changes whether the root is
   * empty (or the set of hosts) refreshes from the root. Bursts within 50 ms become one refresh.
   */
  private readonly changedContexts = new Set<string | undefined>();
  private scheduleChange(contextName: string | undefined): void {
    this.changedContexts.add(contextName);
    if (this.coalesceTimer) return;
    this.coalesceTimer = setTimeout(() => {
      this.coalesceTimer = undefined;
      const changed = [...this.changedContexts];
      this.changedContexts.clear();
      const snapshot = this.inventory.snapshot;
      const rootEmptyNow = hasNothingToShow(snapshot);
      const needsRoot = this.rootKey() !== this.drawnRoot || rootEmptyNow !== this.lastRootWasEmpty
        || changed.some((name) => name !== undefined && !this.nodesByContext.has(name));
      if (needsRoot) {
        this.changeEmitter.fire(undefined);
        return;
      }
      // "Anything may have changed" is checked host by host.
      const names = changed.includes(undefined) ? snapshot.hosts.map((host) => host.context.name) : changed;
      for (const name of names) {
        const host = snapshot.hosts.find((entry) => entry.context.name === name);
        const node = name === undefined ? undefined : this.nodesByContext.get(name);
        if (!host || !node || name === undefined) continue;
        node.host = host;
        // A redraw that would show the same closes an open context menu under the user's pointer;
        // a refresh mostly finds nothing new.
        const key = this.hostKey(host);
        if (this.drawnHosts.get(name) === key) continue;
        this.drawnHosts.set(name, key);
        this.changeEmitter.fire(node);
      }
    }, 50);
  }

  /** What the root shows: the kubeconfig's state and its hosts. */
  private rootKey(): string {
    const { kubeconfig, hosts } = this.inventory.snapshot;
    return JSON.stringify([kubeconfig.state, hosts.map((host) => host.context.name)]);
  }

  /** What a host's node and its vCluster rows show: the host, what discovery found, connections and operations. */
  private hostKey(host: HostState): string {
    const vclusters = host.discovery.state === 'ok' ? host.discovery.result.vclusters : [];
    return JSON.stringify([host.context, host.isCurrent, host.discovery, vclusters.map((vcluster) => [this.vclusters.connector.isConnected(vcluster), this.vclusters.tracker.current(vcluster) ?? null])]);
  }
}
