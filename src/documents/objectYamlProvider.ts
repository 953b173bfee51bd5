import * as vscode from 'vscode';
import type { KubeClient } from '../kube/client';
import { describeKubeError } from '../kube/errors';
import type { CoreBundle } from '../coreBundle';
import { objectPath } from '../vcluster/mapping/objectPaths';
import { type VClusterRef } from '../vcluster/identity';

export const OBJECT_YAML_SCHEME = 'vcluster-object';

export type ObjectSideName = 'virtual' | 'host';

export interface ObjectAddress {
  side: ObjectSideName;
  vcluster: VClusterRef;
  kind: string;
  namespace?: string;
  name: string;
}

/** A read-only document per object: vcluster-object:/<side>/<kind>/<namespace|_>/<name>.yaml?<vCluster>. */
export function objectUri(address: ObjectAddress): vscode.Uri {
  const { side, vcluster, kind, namespace, name } = address;
  const query = new URLSearchParams({ context: vcluster.hostContext, namespace: vcluster.namespace, vcluster: vcluster.name }).toString();
  return vscode.Uri.from({
    scheme: OBJECT_YAML_SCHEME,
    path: `/${side}/${encodeURIComponent(kind)}/${encodeURIComponent(namespace ?? '_')}/${encodeURIComponent(name)}.yaml`,
    query,
  });
}

export function parseObjectUri(uri: vscode.Uri): ObjectAddress | undefined {
  const match = /^\/(virtual|host)\/([^/]+)\/([^/]+)\/([^/]+)\.yaml$/.exec(uri.path);
  const query = new URLSearchParams(uri.query);
  const hostContext = query.get('context');
  const vclusterNamespace = query.get('namespace');
  const vclusterName = query.get('vcluster');
  if (!match || !hostContext || !vclusterNamespace || !vclusterName) return undefined;
  const namespace = decodeURIComponent(match[3]!);
  return {
    side: match[1] as ObjectSideName,
    vcluster: { hostContext, namespace: vclusterNamespace, name: vclusterName },
    kind: decodeURIComponent(match[2]!),
    ...(namespace === '_' ? {} : { namespace }),
    name: decodeURIComponent(match[4]!),
  };
}

export interface ObjectYamlOptions {
  loadCoreBundle: () => Promise<CoreBundle>;
  hostClient: (hostContext: string) => Promise<KubeClient>;
  virtualClient: (vcluster: VClusterRef) => Promise<KubeClient | undefined>;
}

/**
 * Shows one object's YAML as the API server returns it now, without managedFields (noise for a
 * reader). Content-provider documents are read-only, so nothing can be edited by accident.
 */
export class ObjectYamlProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly options: ObjectYamlOptions) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const address = parseObjectUri(uri);
    if (!address) return '# Not an object address.\n';
    const path = objectPath(address.kind, address.namespace, address.name);
    if (!path) return `# The extension cannot read objects of kind ${address.kind}.\n`;
    const client = address.side === 'host' ? await this.options.hostClient(address.vcluster.hostContext) : await this.options.virtualClient(address.vcluster);
    if (!client) return `# The virtual cluster of ${address.vcluster.name} is not connected.\n# Run "vCluster: Connect to vCluster" to read its objects.\n`;
    try {
      const object = await client.getJson<{ metadata?: { managedFields?: unknown } }>(path, {}, AbortSignal.timeout(15_000));
      if (object.metadata) delete object.metadata.managedFields;
      const { stringifyYaml } = await this.options.loadCoreBundle();
      return stringifyYaml(object);
    } catch (error) {
      const described = describeKubeError(error, 15);
      return described.kind === 'notFound'
        ? `# ${address.kind} ${address.namespace ? `${address.namespace}/` : ''}${address.name} does not exist on the ${address.side} side (any more).\n`
        : `# Could not read ${address.kind} ${address.name}: ${described.message}\n`;
    }
  }
}
