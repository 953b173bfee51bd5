import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { withFileLock } from '../../kube/fileLock';
// Types only: the model's parser comes with the core bundle (KubeconfigFormat), yaml being heavy.
import type { EntryList, KubeconfigDocument, KubeconfigFormat, NamedCluster, NamedContext, NamedUser, OtherFields } from '../../kube/kubeconfig';
import { writeFileAtomically } from '../../kube/kubeconfigWrite';
import { type VClusterRef } from '../identity';

/**
 * Connecting to a vCluster the way `vcluster connect` does (pkg/cli/connect_helm.go): the
 * kubeconfig in host Secret vc-NAME, renamed to vcluster_NAME_NAMESPACE_HOSTCONTEXT and pointed at
 * a server this machine can reach. The result goes into a kubeconfig file the extension owns;
 * the user's own files are never touched. The file is read and written through the kubeconfig
 * model (kube/kubeconfig.ts), with kubectl's semantics, as the window's kubeconfig that merges it.
 */

export function vclusterContextName(ref: VClusterRef): string {
  return `vcluster_${ref.name}_${ref.namespace}_${ref.hostContext}`;
}

export class ConnectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectError';
  }
}

/**
 * What a vCluster's kubeconfig may bring from the cluster. Secret vc-NAME is written by whoever can
 * write Secrets in that namespace, so it is data, never a program, a file or a transport: `exec`
 * and `auth-provider` would run commands here (client-node's gcp provider runs `cmd-path` through a
 * shell), `tokenFile` and the file paths would read this machine's files, `proxy-url` and
 * `insecure-skip-tls-verify` would send the credentials elsewhere or unchecked. The syncer writes
 * only these (pkg/util/kubeconfig in vcluster), so nothing a real vCluster needs is lost.
 */
const CLUSTER_FIELDS_KEPT = ['certificate-authority-data'] as const;
const USER_FIELDS_KEPT = ['client-certificate-data', 'client-key-data', 'token'] as const;
const CONTEXT_FIELDS_KEPT = ['namespace'] as const;

export interface ConnectionEntry {
  /** One context, cluster and user, all named by the context. */
  kubeconfig: KubeconfigDocument;
  /** Fields of Secret vc-NAME's kubeconfig that were left out, e.g. `user.exec` (names only, never values). */
  ignored: string[];
}

/**
 * One context, cluster and user, all named `contextName`, from the vCluster's own kubeconfig;
 * the server replaced, only the certificate data and token kept (the vCluster's certificate
 * names localhost and 127.0.0.1, which is what a port-forward or a local NodePort uses).
 */
export function connectionKubeconfig(virtual: KubeconfigDocument, contextName: string, server: string): ConnectionEntry {
  const currentName = virtual['current-context'];
  const context = virtual.contexts.find((entry) => entry.name === currentName) ?? virtual.contexts[0];
  const contextBody: OtherFields = asMapping(context?.context);
  const cluster = virtual.clusters.find((entry) => entry.name === contextBody.cluster) ?? virtual.clusters[0];
  const user = virtual.users.find((entry) => entry.name === contextBody.user) ?? virtual.users[0];
  if (!cluster || !user) throw new ConnectError('the vCluster kubeconfig lacks a cluster or a user');
  const ignored: string[] = [];
  const keptCluster = keepStrings(asMapping(cluster.cluster), [...CLUSTER_FIELDS_KEPT, 'server'], 'cluster', ignored);
  delete keptCluster.server;
  const keptUser = keepStrings(asMapping(user.user), USER_FIELDS_KEPT, 'user', ignored);
  const keptContext = keepStrings(contextBody, [...CONTEXT_FIELDS_KEPT, 'cluster', 'user'], 'context', ignored);
  if (!keptUser.token && !(keptUser['client-certificate-data'] && keptUser['client-key-data'])) {
    throw new ConnectError(`the vCluster kubeconfig has no client certificate or token${ignored.length ? ` (left out: ${ignored.join(', ')})` : ''}`);
  }
  return {
    kubeconfig: {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: contextName, cluster: { ...keptCluster, server } }],
      users: [{ name: contextName, user: keptUser }],
      contexts: [{ name: contextName, context: { ...keptContext, cluster: contextName, user: contextName } }],
      'current-context': contextName,
    },
    ignored,
  };
}

/** The allowed string fields of `body`; every other field's name goes to `ignored` as `prefix.field`. */
function keepStrings(body: OtherFields, allowed: readonly string[], prefix: string, ignored: string[]): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (allowed.includes(key) && typeof value === 'string') kept[key] = value;
    else ignored.push(`${prefix}.${safeFieldName(key)}`);
  }
  return kept;
}

/** A field name from the cluster, fit for a log line: short, printable. */
function safeFieldName(key: string): string {
  const printable = key.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 40 ? `${printable.slice(0, 40)}…` : printable;
}

/**
 * Not the model's asMapping: this module stays out of the core bundle. The keep-list reads what
 * may be anything (a legacy entry, a document typed by a caller), so it checks every level.
 */
function asMapping(value: unknown): OtherFields {
  return value && typeof value === 'object' && !Array.isArray(value) ? value as OtherFields : {};
}

/**
 * One connection as stored in the connections file, through the same keep-list as a new one:
 * entries an earlier version copied whole from a Secret (an `exec` included) are used without
 * what it would no longer take. Undefined when the context, its cluster, user or server is missing.
 */
export function storedConnection(document: KubeconfigDocument, context: string): ConnectionEntry | undefined {
  const contextEntry = document.contexts.find((entry) => entry.name === context);
  const body = asMapping(contextEntry?.context);
  const cluster = document.clusters.find((entry) => entry.name === body.cluster);
  const user = document.users.find((entry) => entry.name === body.user);
  const server = asMapping(cluster?.cluster).server;
  if (!contextEntry || !cluster || !user || typeof server !== 'string') return undefined;
  return connectionKubeconfig({ clusters: [cluster], users: [user], contexts: [contextEntry], 'current-context': context }, context, server);
}

/**
 * The connections file as the window's kubeconfig may merge it: every context rebuilt through the
 * keep-list, so an entry an older version stored whole (an `exec`, a proxy) cannot reach this
 * window's terminals, even before anyone cleaned the file. Entries that cannot be used are left
 * out. `ignored` names, per context, what was dropped (never values).
 */
export function trustedConnections(document: KubeconfigDocument): { document: KubeconfigDocument; ignored: Map<string, string[]> } {
  const trusted: KubeconfigDocument = { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] };
  const ignored = new Map<string, string[]>();
  for (const { name } of document.contexts) {
    let stored: ConnectionEntry | undefined;
    try {
      stored = storedConnection(document, name);
    } catch {
      stored = undefined;
    }
    if (!stored) continue;
    if (stored.ignored.length > 0) ignored.set(name, stored.ignored);
    trusted.clusters.push(...stored.kubeconfig.clusters);
    trusted.users.push(...stored.kubeconfig.users);
    trusted.contexts.push(...stored.kubeconfig.contexts);
  }
  return { document: trusted, ignored };
}

type ConnectionLists = Pick<KubeconfigDocument, EntryList>;

/**
 * The extension's own kubeconfig: one entry per connected vCluster. Entries are replaced by
 * name; everything else in the file, including fields we do not know, is kept as it was. Every
 * read-modify-write runs under kubectl's lock (see fileLock.ts).
 */
export class ConnectionsKubeconfig {
  /** `loadFormat`: the kubeconfig model's parser and writer, loaded with the core bundle on first use. */
  constructor(readonly path: string, private readonly loadFormat: () => Promise<KubeconfigFormat>) {}

  async read(): Promise<KubeconfigDocument> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] };
      throw error;
    }
    const parsed = (await this.loadFormat()).parseKubeconfig(text, { baseDir: dirname(this.path) });
    if (!parsed.ok) throw new ConnectError(`${this.path}: ${parsed.problem}; move it aside and connect again (the extension recreates it).`);
    return parsed.document;
  }

  async contextNames(): Promise<string[]> {
    return (await this.read()).contexts.map((entry) => entry.name);
  }

  /** Adds or replaces the entry's context, cluster and user. */
  async upsert(entry: ConnectionLists): Promise<void> {
    await withFileLock(this.path, async () => {
      const document = await this.read();
      replaceByName(document, entry);
      await this.write(document);
    });
  }

  /** Removes the context and the cluster and user of the same name; true when there was one. */
  async remove(contextName: string): Promise<boolean> {
    return withFileLock(this.path, async () => {
      const document = await this.read();
      const before = document.clusters.length + document.users.length + document.contexts.length;
      document.clusters = document.clusters.filter((item) => item.name !== contextName);
      document.users = document.users.filter((item) => item.name !== contextName);
      document.contexts = document.contexts.filter((item) => item.name !== contextName);
      const found = document.clusters.length + document.users.length + document.contexts.length !== before;
      if (document['current-context'] === contextName) delete document['current-context'];
      if (found) await this.write(document);
      return found;
    });
  }

  /**
   * Rewrites every stored connection through the keep-list (see storedConnection) and returns,
   * per context, what was taken out; writes nothing when nothing was. An entry that cannot be
   * used at all stays as it is (connecting again replaces it).
   */
  async removeUntrustedFields(): Promise<Map<string, string[]>> {
    return withFileLock(this.path, async () => {
      const document = await this.read();
      const cleaned = new Map<string, string[]>();
      for (const { name } of [...document.contexts]) {
        let stored: ConnectionEntry | undefined;
        try {
          stored = storedConnection(document, name);
        } catch {
          stored = undefined;
        }
        if (!stored || stored.ignored.length === 0) continue;
        cleaned.set(name, stored.ignored);
        // Our entries name their cluster and user after the context: replaced like an upsert,
        // and the cluster and user the context named before go with it.
        const refs = asMapping(document.contexts.find((entry) => entry.name === name)?.context);
        document.clusters = document.clusters.filter((item) => item.name !== refs.cluster);
        document.users = document.users.filter((item) => item.name !== refs.user);
        replaceByName(document, stored.kubeconfig);
      }
      if (cleaned.size > 0) await this.write(document);
      return cleaned;
    });
  }

  private async write(document: KubeconfigDocument): Promise<void> {
    await writeFileAtomically(this.path, (await this.loadFormat()).serializeKubeconfig(document));
  }
}

/** Each list's entries of `incoming` replace those of the same name, at the end of the list. */
function replaceByName(document: KubeconfigDocument, incoming: ConnectionLists): void {
  const without = <T extends NamedCluster | NamedUser | NamedContext>(list: T[], added: T[]) => {
    const names = new Set(added.map((item) => item.name));
    return [...list.filter((item) => !names.has(item.name)), ...added];
  };
  document.clusters = without(document.clusters, incoming.clusters);
  document.users = without(document.users, incoming.users);
  document.contexts = without(document.contexts, incoming.contexts);
}
