import * as vscode from 'vscode';
import { objectUri } from '../documents/objectYamlProvider';
import type { MappingPairNode } from '../tree/mappingNodes';
import { hasHostObject, hasVirtualObject } from '../vcluster/mapping/mapping';
import type { Command } from './command';

/**
 * Virtual YAML on the left, host YAML on the right, in VS Code's diff editor: what the syncer
 * rewrote (name, namespace, labels, markers, a pod's env and hosts) at a glance.
 */
export class CompareSidesCommand implements Command {
  readonly id = 'vcluster.compareSides';

  async run(node?: unknown): Promise<void> {
    const pairNode = node as MappingPairNode | undefined;
    if (pairNode?.kind !== 'mappingPair') {
      void vscode.window.showInformationMessage('Choose a synced object in a vCluster\'s mapping in the vCluster view.');
      return;
    }
    const { pair, vcluster } = pairNode;
    if (!hasVirtualObject(pair) || !hasHostObject(pair)) {
      void vscode.window.showInformationMessage(`${pair.kind} ${pair.virtual?.name ?? pair.host?.name ?? ''} has only one side to show.`);
      return;
    }
    const side = (name: 'virtual' | 'host', object: NonNullable<typeof pair.virtual>) => objectUri({
      side: name, vcluster, kind: pair.kind, ...(object.namespace ? { namespace: object.namespace } : {}), name: object.name,
    });
    await vscode.commands.executeCommand('vscode.diff', side('virtual', pair.virtual), side('host', pair.host),
      `${pair.virtual.name} ↔ ${pair.host.name} (virtual ↔ host)`, { preview: true });
  }
}
