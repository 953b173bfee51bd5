import type { VClusterSummary } from '../vcluster/discovery/discoverVClusters';
import type { MappingSource } from '../vcluster/mapping/mappingSource';
import { emptyStatusCounts, type MappingPair } from '../vcluster/mapping/mapping';
import {
  groupOf, kindNodeId, kindNodes, messageNode, namespaceNodeId, namespaceNodes, pairNodeId, pairNodes,
  type MappingKindNode, type MappingNamespaceNode, type MappingNode, type MappingPairNode,
} from './mappingNodes';
import type { MappingSources } from '../vcluster/mapping/mappingSources';
import { vclusterKey } from '../vcluster/identity';

/** How long expanding a vCluster waits for its first list before showing "reading…". */
const FIRST_LIST_WAIT_MS = 3000;

/**
 * The mapping part of the Clusters tree: children of vCluster, namespace and kind nodes, from
 * each vCluster's live MappingSource. Node objects are kept per id, because VS Code refreshes an
 * element by identity; a change refreshes only the namespaces whose pairs changed when the set of
 * namespaces stayed the same, else the vCluster.
 */
export class MappingChildren {
  private readonly namespaceNodesById = new Map<string, MappingNamespaceNode>();
  private readonly kindNodesById = new Map<string, MappingKindNode>();
  private readonly pairNodesById = new Map<string, MappingPairNode>();

  constructor(private readonly sources: MappingSources) {}

  async childrenOfVCluster(vcluster: VClusterSummary): Promise<MappingNode[]> {
    const source = await this.sources.sourceFor(vcluster);
    if (source.status.state === 'loading') await firstChange(source, FIRST_LIST_WAIT_MS);
    const status = source.status;
    if (status.state === 'loading') return [messageNode(vcluster, 'Reading the syncer\'s objects…', 'loading')];
    if (status.state === 'error') return [messageNode(vcluster, status.message, 'warning')];
    const notes: MappingNode[] = [];
    if (!status.virtualReachable) {
      notes.push(messageNode(vcluster, status.virtualProblem
        ? `Host side only: the virtual cluster did not answer (${status.virtualProblem})`
        : 'Host side only: connect to see virtual-only and pending objects', status.virtualProblem ? 'warning' : 'info'));
    }
    const nodes = namespaceNodes(vcluster, source.pairs).map((node) => this.keep(this.namespaceNodesById, node, (kept) => Object.assign(kept, { counts: node.counts, vcluster })));
    if (nodes.length === 0 && notes.length === 0) notes.push(messageNode(vcluster, 'No objects yet', 'info'));
    return [...notes, ...nodes];
  }

  childrenOfNamespace(node: MappingNamespaceNode): MappingNode[] {
    const source = this.sources.existing(node.vcluster);
    if (!source) return [];
    return kindNodes(node, source.pairs).map((kind) => this.keep(this.kindNodesById, kind, (kept) => Object.assign(kept, { count: kind.count, vcluster: kind.vcluster })));
  }

  childrenOfKind(node: MappingKindNode): MappingNode[] {
    const source = this.sources.existing(node.vcluster);
    if (!source) return [];
    const prefix = pairNodeId(node.vcluster, '');
    const nodes = pairNodes(node, source.pairs).map((pair) => this.keep(this.pairNodesById, pair, (kept) => Object.assign(kept, { pair: pair.pair, vcluster: pair.vcluster })));
    // Pairs of this kind that are gone leave the cache with their row.
    const shown = new Set(nodes.map((pair) => pair.id));
    for (const [id, kept] of this.pairNodesById) {
      if (id.startsWith(prefix) && kept.pair.kind === node.objectKind && groupOf(kept.pair) === node.namespace && !shown.has(id)) this.pairNodesById.delete(id);
    }
    return nodes;
  }

  /** The one node object for a pair (what reveal() needs: the same object the tree holds). */
  pairNode(vcluster: VClusterSummary, pair: MappingPair): MappingPairNode {
    return this.keep(this.pairNodesById, { kind: 'mappingPair', id: pairNodeId(vcluster, pair.id), vcluster, pair }, (kept) => Object.assign(kept, { pair, vcluster }));
  }

  /** A mapping node's parent, for reveal(); undefined for a vCluster's direct children. */
  parentOf(node: MappingNode): MappingNode | undefined {
    const source = this.sources.existing(node.vcluster);
    const pairs = source?.pairs ?? [];
    if (node.kind === 'mappingPair') {
      const group = groupOf(node.pair);
      const parent = this.namespaceNode(node.vcluster, group, pairs);
      const fresh = kindNodes(parent, pairs).find((candidate) => candidate.objectKind === node.pair.kind)
        ?? { kind: 'mappingKind' as const, id: kindNodeId(node.vcluster, group, node.pair.kind), vcluster: node.vcluster, namespace: group, objectKind: node.pair.kind, count: 0 };
      return this.keep(this.kindNodesById, fresh, (kept) => Object.assign(kept, { count: fresh.count }));
    }
    if (node.kind === 'mappingKind') return this.namespaceNode(node.vcluster, node.namespace, pairs);
    return undefined;
  }

  private namespaceNode(vcluster: VClusterSummary, group: string, pairs: readonly MappingPair[]): MappingNamespaceNode {
    const fresh = namespaceNodes(vcluster, pairs).find((candidate) => candidate.namespace === group)
      ?? { kind: 'mappingNamespace' as const, id: namespaceNodeId(vcluster, group), vcluster, namespace: group, counts: emptyStatusCounts() };
    return this.keep(this.namespaceNodesById, fresh, (kept) => Object.assign(kept, { counts: fresh.counts }));
  }

  /**
   * The nodes to refresh for a change: the namespace nodes holding changed pairs when all of
   * them are known, else undefined (refresh the whole vCluster).
   */
  nodesToRefresh(vcluster: VClusterSummary, changedIds: ReadonlySet<string> | undefined): Array<MappingNamespaceNode | MappingKindNode> | undefined {
    const source = this.sources.existing(vcluster);
    if (!source || !changedIds) return undefined;
    const prefix = `vcluster/${vcluster.hostContext}/${vcluster.namespace}/${vcluster.name}/ns/`;
    const groups = new Set<string>();
    const kinds = new Set<string>();
    const byId = new Map(source.pairs.map((pair) => [pair.id, pair]));
    for (const id of changedIds) {
      const pair = byId.get(id);
      // A removed pair: its group is unknown now, so the vCluster refreshes.
      if (!pair) return undefined;
      groups.add(groupOf(pair));
      kinds.add(`${prefix}${groupOf(pair)}/kind/${pair.kind}`);
    }
    const nodes: Array<MappingNamespaceNode | MappingKindNode> = [];
    for (const group of groups) {
      const node = this.namespaceNodesById.get(`${prefix}${group}`);
      if (!node) return undefined;
      const fresh = namespaceNodes(vcluster, source.pairs).find((candidate) => candidate.id === node.id);
      if (!fresh) return undefined;
      Object.assign(node, { counts: fresh.counts });
      nodes.push(node);
    }
    // An expanded kind is refreshed itself too: refreshing its namespace alone does not always
    // make VS Code ask again for the children of a kind node it already holds.
    for (const id of kinds) {
      const kindNode = this.kindNodesById.get(id);
      if (!kindNode) continue;
      const source = this.sources.existing(vcluster);
      const count = source?.pairs.filter((pair) => `${prefix}${groupOf(pair)}/kind/${pair.kind}` === id).length ?? kindNode.count;
      Object.assign(kindNode, { count });
      nodes.push(kindNode);
    }
    return nodes;
  }

  /** Drops cached nodes and sources of vClusters no longer in the tree. */
  retainOnly(present: readonly VClusterSummary[]): void {
    const keys = new Set(present.map(vclusterKey));
    this.sources.retainOnly(keys);
    const prefixes = present.map((vcluster) => `vcluster/${vcluster.hostContext}/${vcluster.namespace}/${vcluster.name}/`);
    for (const cache of [this.namespaceNodesById, this.kindNodesById, this.pairNodesById] as Array<Map<string, unknown>>) {
      for (const id of [...cache.keys()]) if (!prefixes.some((prefix) => id.startsWith(prefix))) cache.delete(id);
    }
  }

  private keep<T extends { id: string }>(cache: Map<string, T>, node: T, update: (kept: T) => void): T {
    const kept = cache.get(node.id);
    if (!kept) {
      cache.set(node.id, node);
      return node;
    }
    update(kept);
    return kept;
  }
}

function firstChange(source: MappingSource, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, timeoutMs);
    const listener = source.onDidChange(() => done());
    if (source.status.state !== 'loading') done();
    function done() {
      clearTimeout(timer);
      listener.dispose();
      resolve();
    }
  });
}
