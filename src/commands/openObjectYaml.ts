import * as vscode from 'vscode';
import { objectUri, type ObjectSideName } from '../documents/objectYamlProvider';
import type { MappingPairNode } from '../tree/mappingNodes';
import type { Command } from './command';

function isPairNode(value: unknown): value is MappingPairNode {
  return (value as MappingPairNode | undefined)?.kind === 'mappingPair';
}

/** Opens one side of a mapping pair as a read-only YAML document. */
abstract class OpenObjectYamlCommand implements Command {
  abstract readonly id: string;
  protected abstract readonly side: ObjectSideName;

  async run(node?: unknown): Promise<void> {
    if (!isPairNode(node)) {
      void vscode.window.showInformationMessage('Choose an object in a vCluster\'s mapping in the vCluster view.');
      return;
    }
    const objectSide = this.side === 'virtual' ? node.pair.virtual : node.pair.host;
    if (!objectSide) {
      void vscode.window.showInformationMessage(`${node.pair.kind} ${node.pair.virtual?.name ?? node.pair.host?.name ?? ''} has no ${this.side} side.`);
      return;
    }
    const uri = objectUri({
      side: this.side,
      vcluster: node.vcluster,
      // The host side of a synced object has the same kind (the syncer copies, it does not convert).
      kind: node.pair.kind,
      ...(objectSide.namespace ? { namespace: objectSide.namespace } : {}),
      name: objectSide.name,
    });
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(document, 'yaml');
    await vscode.window.showTextDocument(document, { preview: true });
  }
}

export class OpenVirtualYamlCommand extends OpenObjectYamlCommand {
  readonly id = 'vcluster.openVirtualYaml';
  protected readonly side = 'virtual' as const;
}

export class OpenHostYamlCommand extends OpenObjectYamlCommand {
  readonly id = 'vcluster.openHostYaml';
  protected readonly side = 'host' as const;
}
