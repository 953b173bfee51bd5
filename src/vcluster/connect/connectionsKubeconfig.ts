import { Buffer } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import type { KubeClient } from '../../kube/client';
import { withFileLock } from '../../kube/fileLock';
import { writeFileAtomically } from '../../kube/kubeconfigWrite';
import { type VClusterRef } from '../identity';

/**
 * Connecting to a vCluster the way `vcluster connect` does (pkg/cli/connect_helm.go): the
 * kubeconfig in host Secret vc-NAME, renamed to vcluster_NAME_NAMESPACE_HOSTCONTEXT and pointed at
 * a server this machine can reach. The result goes into a kubeconfig file the extension owns;
 * the user's own files are never touched.
 */

type Json = Record<string, unknown>;

export function vclusterContextName(ref: VClusterRef): string {
  return `vcluster_${ref.name}_${ref.namespace}_${ref.hostContext}`;
}

export class ConnectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectError';
  }
}

interface Secret { data?: Record<string, string> }

/** The virtual cluster's kubeconfig as the syncer wrote it into Secret vc-NAME. */
export async function readVirtualKubeconfig(client: KubeClient, ref: VClusterRef, signal: AbortSignal, yaml: YamlCodec): Promise<Json> {
  const path = `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets/vc-${encodeURIComponent(ref.name)}`;
  let secret: Secret;
  try {
    secret = await client.getJson<Secret>(path, {}, signal);
  } catch (error) {
    if ((error as { status?: number }).status === 404) {
      throw new ConnectError(`Secret vc-${ref.name} is not in namespace ${ref.namespace} yet: the vCluster writes it once its control plane has started. Wait until it is Running, then connect again.`);
    }
    throw error;
  }
  const encoded = secret.data?.config;
  if (!encoded) throw new ConnectError(`Secret vc-${ref.name} in ${ref.namespace} has no "config" key: it does not hold a kubeconfig.`);
  let parsed: unknown;
  try {
    parsed = yaml.parse(Buffer.from(encoded, 'base64').toString('utf8'), { prettyErrors: false });
  } catch {
    // Not the parser's message: it quotes the offending lines, which may hold a key.
    throw new ConnectError(`Secret vc-${ref.name} in ${ref.namespace} does not hold valid YAML in its "config" key.`);
  }
  if (!parsed || typeof parsed !== 'object' || !Array.isArray((parsed as Json).clusters)) {
    throw new ConnectError(`Secret vc-${ref.name} in ${ref.namespace} does not hold a valid kubeconfig.`);
  }
  return parsed as Json;
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
  kubeconfig: Json;
  /** Fields of Secret vc-NAME's kubeconfig that were left out, e.g. `user.exec` (names only, never values). */
  ignored: string[];
}

/**
 * One context, cluster and user, all named `contextName`, from the vCluster's own kubeconfig;
 * the server replaced, only the certificate data and token kept (the vCluster's certificate
 * names localhost and 127.0.0.1, which is what a port-forward or a local NodePort uses).
 */
export function connectionKubeconfig(virtual: Json, contextName: string, server: string): ConnectionEntry {
  const pick = (key: 'clusters' | 'users' | 'contexts'): Json | undefined => {
    const list = virtual[key];
    if (!Array.isArray(list) || list.length === 0) return undefined;
    const currentName = (virtual['current-context'] as string | undefined);
    if (key === 'contexts' && currentName) return (list as Json[]).find((entry) => entry?.name === currentName) ?? (list[0] as Json);
    return list[0] as Json;
  };
  const context = pick('contexts');
  const contextBody = asJson(context?.context);
  const cluster = listOfJson(virtual.clusters).find((entry) => entry.name === contextBody.cluster) ?? pick('clusters');
  const user = listOfJson(virtual.users).find((entry) => entry.name === contextBody.user) ?? pick('users');
  if (!cluster || !user) throw new ConnectError('the vCluster kubeconfig lacks a cluster or a user');
  const ignored: string[] = [];
  const keptCluster = keepStrings(asJson(cluster.cluster), [...CLUSTER_FIELDS_KEPT, 'server'], 'cluster', ignored);
  delete keptCluster.server;
  const keptUser = keepStrings(asJson(user.user), USER_FIELDS_KEPT, 'user', ignored);
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
function keepStrings(body: Json, allowed: readonly string[], prefix: string, ignored: string[]): Record<string, string> {
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

function asJson(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? value as Json : {};
}

function listOfJson(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter((entry): entry is Json => !!entry && typeof entry === 'object' && !Array.isArray(entry)) : [];
}

/**
 * One connection as stored in the connections file, through the same keep-list as a new one:
 * entries an earlier version copied whole from a Secret (an `exec` included) are used without
 * what it would no longer take. Undefined when the context, its cluster, user or server is missing.
 */
export function storedConnection(document: Json, context: string): ConnectionEntry | undefined {
  const contextEntry = listOfJson(document.contexts).find((entry) => entry.name === context);
  const body = asJson(contextEntry?.context);
  const cluster = listOfJson(document.clusters).find((entry) => entry.name === body.cluster);
  const user = listOfJson(document.users).find((entry) => entry.name === body.user);
  const server = asJson(cluster?.cluster).server;
  if (!contextEntry || !cluster || !user || typeof server !== 'string') return undefined;
  return connectionKubeconfig({ clusters: [cluster], users: [user], contexts: [contextEntry], 'current-context': context }, context, server);
}

/**
 * The connections file as the window's kubeconfig may merge it: every context rebuilt through the
 * keep-list, so an entry an older version stored whole (an `exec`, a proxy) cannot reach this
 * window's terminals, even before anyone cleaned the file. Entries that cannot be used are left
 * out. `ignored` names, per context, what was dropped (never values).
 */
export function trustedConnections(document: unknown): { document: Json; ignored: Map<string, string[]> } {
  const source = asJson(document);
  const trusted: Json = { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] };
  const ignored = new Map<string, string[]>();
  for (const name of listOfJson(source.contexts).map((entry) => entry.name).filter((entry): entry is string => typeof entry === 'string')) {
    let stored: ConnectionEntry | undefined;
    try {
      stored = storedConnection(source, name);
    } catch {
      stored = undefined;
    }
    if (!stored) continue;
    if (stored.ignored.length > 0) ignored.set(name, stored.ignored);
    for (const key of ['clusters', 'users', 'contexts'] as const) (trusted[key] as Json[]).push(...listOfJson(stored.kubeconfig[key]));
  }
  return { document: trusted, ignored };
}

/** The yaml package, loaded with the rest of the core on first use (see coreBundle.ts). */
export interface YamlCodec {
  /** Callers pass `{ prettyErrors: false }`: a pretty error quotes the lines, which may hold a key. */
  parse(text: string, options: { prettyErrors: false }): unknown;
  stringify(value: unknown): string;
}

/**
 * The extension's own kubeconfig: one entry per connected vCluster. Entries are replaced by
 * name; everything else in the file, including fields we do not know, is kept as it was.
 */
export class ConnectionsKubeconfig {
  constructor(readonly path: string, private readonly loadYaml: () => Promise<YamlCodec>) {}

  async read(): Promise<Json> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] };
      throw error;
    }
    const yaml = await this.loadYaml();
    let parsed: unknown;
    try {
      parsed = yaml.parse(text, { prettyErrors: false });
    } catch {
      throw new ConnectError(`${this.path} is not valid YAML; move it aside and connect again (the extension recreates it).`);
    }
    if (parsed === null || parsed === undefined) return { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] };
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConnectError(`${this.path} is not a kubeconfig; move it aside and connect again.`);
    return parsed as Json;
  }

  async contextNames(): Promise<string[]> {
    const document = await this.read();
    return listOf(document, 'contexts').map((entry) => String(entry.name));
  }

  /** Adds or replaces the entry's context, cluster and user, under kubectl's lock (see fileLock.ts). */
  async upsert(entry: Json): Promise<void> {
    await withFileLock(this.path, () => this.upsertNow(entry));
  }

  /** Removes the context and the cluster and user of the same name; true when there was one. */
  async remove(contextName: string): Promise<boolean> {
    return withFileLock(this.path, () => this.removeNow(contextName));
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
      for (const name of listOf(document, 'contexts').map((entry) => String(entry.name))) {
        let stored: ConnectionEntry | undefined;
        try {
          stored = storedConnection(document, name);
        } catch {
          stored = undefined;
        }
        if (!stored || stored.ignored.length === 0) continue;
        cleaned.set(name, stored.ignored);
        // Our entries name their cluster and user after the context: replaced like an upsert.
        const refs = asJson(listOf(document, 'contexts').find((entry) => entry.name === name)?.context);
        const replaced = { clusters: refs.cluster, users: refs.user, contexts: name };
        for (const key of ['clusters', 'users', 'contexts'] as const) {
          document[key] = [...listOf(document, key).filter((item) => item.name !== replaced[key]), ...listOf(stored.kubeconfig, key)];
        }
      }
      if (cleaned.size > 0) await writeFileAtomically(this.path, (await this.loadYaml()).stringify(document));
      return cleaned;
    });
  }

  private async upsertNow(entry: Json): Promise<void> {
    const document = await this.read();
    for (const key of ['clusters', 'users', 'contexts'] as const) {
      const incoming = listOf(entry, key);
      const names = new Set(incoming.map((item) => item.name));
      document[key] = [...listOf(document, key).filter((item) => !names.has(item.name)), ...incoming];
    }
    await writeFileAtomically(this.path, (await this.loadYaml()).stringify(document));
  }

  private async removeNow(contextName: string): Promise<boolean> {
    const document = await this.read();
    let found = false;
    for (const key of ['clusters', 'users', 'contexts'] as const) {
      const before = listOf(document, key);
      const after = before.filter((item) => item.name !== contextName);
      if (after.length !== before.length) found = true;
      document[key] = after;
    }
    if (document['current-context'] === contextName) delete document['current-context'];
    if (found) await writeFileAtomically(this.path, (await this.loadYaml()).stringify(document));
    return found;
  }
}

function listOf(document: Json, key: 'clusters' | 'users' | 'contexts'): Json[] {
  const value = document[key];
  return Array.isArray(value) ? (value.filter((item) => item && typeof item === 'object') as Json[]) : [];
}
