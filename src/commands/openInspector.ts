import type { Inspectors } from '../inspector/inspectors';
import type { ClustersTreeNode } from '../tree/clustersTreeProvider';
import type { Command } from './command';
import { targetVCluster, type LifecycleUi } from './lifecycleUi';

/**
 * Opens the resource-mapping inspector of a vCluster: the one run on in the tree, the vCluster of
 * a pair (that pair selected) or of a namespace or kind (filtered to it), or one picked from the
 * palette. A second open brings the same panel forward.
 */
export class OpenInspectorCommand implements Command {
  readonly id = 'vcluster.openInspector';

  constructor(private readonly ui: LifecycleUi, private readonly inspectors: () => Inspectors) {}

  async run(arg?: unknown): Promise<void> {
    const node = arg && typeof arg === 'object' ? (arg as ClustersTreeNode) : undefined;
    switch (node?.kind) {
      case 'mappingPair':
        this.inspectors().open(node.vcluster, { pairId: node.pair.id });
        return;
      case 'mappingNamespace':
        this.inspectors().open(node.vcluster, { namespace: node.namespace });
        return;
      case 'mappingKind':
        this.inspectors().open(node.vcluster, { namespace: node.namespace, kind: node.objectKind });
        return;
    }
    const vcluster = await targetVCluster(this.ui, arg, 'Open Mapping Inspector');
    if (vcluster) this.inspectors().open(vcluster);
  }
}
