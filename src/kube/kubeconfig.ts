import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { kubectlValue, parseKubectlDocument, stringifyForKubectl } from './kubectlYaml';

/**
 * The one kubeconfig model of the extension: every kubeconfig it reads (the user's files, the
 * window's own file, its connections file, a vCluster's Secret) is parsed here, with kubectl's
 * semantics (kubectlYaml.ts); merged here, the way kubectl merges KUBECONFIG; and written as
 * serializeKubeconfig writes it. A field the model does not name is kept as it is: a user's
 * field is never lost on the way through.
 *
 * No problem quotes a file's content: a kubeconfig holds keys and tokens.
 */

/** Whatever else an entry or a document holds (a newer kubectl's field, an extension, a team's own). */
export interface OtherFields { [field: string]: unknown }

// Field types as kubectl has checked them (kubectlValue): text or null where kubectl wants text.
export interface ClusterFields extends OtherFields {
  server?: string | null;
  'certificate-authority'?: string | null;
  'certificate-authority-data'?: string | null;
}
export interface ExecPlugin extends OtherFields { command?: string | null; args?: string[] | null }
export interface UserFields extends OtherFields {
  'client-certificate'?: string | null;
  'client-key'?: string | null;
  tokenFile?: string | null;
  exec?: ExecPlugin | null;
  'auth-provider'?: (OtherFields & { name?: string | null }) | null;
}
export interface ContextFields extends OtherFields { cluster?: string | null; user?: string | null; namespace?: string | null }

export interface NamedCluster extends OtherFields { name: string; cluster: ClusterFields }
export interface NamedUser extends OtherFields { name: string; user: UserFields }
export interface NamedContext extends OtherFields { name: string; context: ContextFields }

export interface KubeconfigDocument extends OtherFields {
  apiVersion?: string;
  kind?: string;
  clusters: NamedCluster[];
  users: NamedUser[];
  contexts: NamedContext[];
  'current-context'?: string | null;
}

export const ENTRY_LISTS = ['clusters', 'users', 'contexts'] as const;
export type EntryList = (typeof ENTRY_LISTS)[number];
/** The field of each list's entries that holds the entry itself. */
const ENTRY_BODY = { clusters: 'cluster', users: 'user', contexts: 'context' } as const;

export function emptyKubeconfig(): KubeconfigDocument {
  return { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] };
}

export function asMapping(value: unknown): OtherFields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) ? (value as OtherFields) : undefined;
}

/** Certificate, key and token file paths: kubectl reads them relative to the file that names them. */
export const PATH_FIELDS = {
  cluster: ['certificate-authority'],
  user: ['client-certificate', 'client-key', 'tokenFile'],
} as const;

function absolutize<T extends OtherFields>(entry: T, fields: readonly string[], baseDir: string): T {
  const copy: OtherFields = { ...entry };
  for (const field of fields) {
    const value = copy[field];
    if (typeof value === 'string' && value !== '' && !isAbsolute(value)) copy[field] = resolve(baseDir, value);
  }
  return copy as T;
}

/**
 * An entry with its file paths absolute against `baseDir`, as client-go reads them
 * (GetAuthInfoFileReferences): certificate, key and token files, and an exec plugin's command when
 * it names a path (`./bin/token-helper`) rather than a program found on PATH (`aws`). Every other
 * field is kept whole.
 */
export function withAbsolutePaths<T extends NamedCluster | NamedUser | NamedContext>(list: EntryList, entry: T, baseDir: string): T {
  if (list === 'clusters') return { ...entry, cluster: absolutize((entry as NamedCluster).cluster, PATH_FIELDS.cluster, baseDir) };
  if (list !== 'users') return { ...entry };
  const user = absolutize((entry as NamedUser).user, PATH_FIELDS.user, baseDir);
  const exec = asMapping(user.exec);
  if (exec && typeof exec.command === 'string' && exec.command.includes('/') && !isAbsolute(exec.command)) {
    user.exec = { ...exec, command: resolve(baseDir, exec.command) };
  }
  return { ...entry, user };
}

export type KubeconfigParse =
  | { ok: true; document: KubeconfigDocument; /** The text held no document at all. */ empty: boolean }
  | { ok: false; problem: string };

/**
 * One kubeconfig's text as kubectl reads it (YAML 1.1, the first document, kubectl's field
 * types), every field kept. With `baseDir` (the folder of the file it came from), relative file
 * paths become absolute, so the document means the same wherever it is used; without (a Secret),
 * they stay as written. A problem says where, never quotes.
 */
export function parseKubeconfig(text: string, options: { baseDir?: string } = {}): KubeconfigParse {
  const empty: KubeconfigParse = { ok: true, empty: true, document: emptyKubeconfig() };
  if (text.trim() === '') return empty;
  const parsed = parseKubectlDocument(text);
  if (parsed.problem) return { ok: false, problem: parsed.problem };
  const at = (node: Node | undefined) => {
    const position = node?.range ? parsed.lineCounter.linePos(node.range[0]) : undefined;
    return position ? ` at line ${position.line}, column ${position.col}` : '';
  };
  const contents = parsed.document.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return empty;
  if (!isMap(contents)) return { ok: false, problem: 'not a kubeconfig: its top level is not a mapping' };
  const decoded = kubectlValue(parsed);
  if (decoded.problem) return { ok: false, problem: decoded.problem };
  const raw = decoded.value as OtherFields;
  const document = { ...raw, clusters: [], users: [], contexts: [] } as KubeconfigDocument;
  for (const list of ENTRY_LISTS) {
    const value = raw[list];
    if (value === undefined || value === null) continue;
    const listNode = contents.get(list, true) as Node | undefined;
    if (!Array.isArray(value)) return { ok: false, problem: `"${list}" is not a list${at(listNode)}` };
    for (const [index, item] of value.entries()) {
      const itemAt = () => at(isSeq(listNode) ? (listNode.items[index] as Node | undefined) : undefined);
      const entry = asMapping(item);
      if (!entry || typeof entry.name !== 'string' || entry.name === '') {
        return { ok: false, problem: `entry ${index + 1} of "${list}" has no name${itemAt()}` };
      }
      const bodyField = ENTRY_BODY[list];
      const body = entry[bodyField];
      // kubectl reads a missing or null body as an empty one, and refuses any other kind of value.
      if (body !== undefined && body !== null && !asMapping(body)) {
        return { ok: false, problem: `entry ${index + 1} of "${list}": its "${bodyField}" is not a mapping${itemAt()}` };
      }
      const whole = { ...entry, [bodyField]: asMapping(body) ?? {} } as NamedCluster & NamedUser & NamedContext;
      (document[list] as unknown[]).push(options.baseDir === undefined ? whole : withAbsolutePaths(list, whole, options.baseDir));
    }
  }
  return { ok: true, empty: false, document };
}

export class KubeconfigParseError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = 'KubeconfigParseError';
  }
}

/** parseKubeconfig for the file at `path` (its relative paths made absolute); throws KubeconfigParseError. */
export function parseKubeconfigText(path: string, text: string): KubeconfigDocument {
  const parsed = parseKubeconfig(text, { baseDir: dirname(path) });
  if (!parsed.ok) throw new KubeconfigParseError(path, parsed.problem);
  return parsed.document;
}

/** The text of a kubeconfig the extension writes: kubectl reads back exactly these values. */
export function serializeKubeconfig(document: KubeconfigDocument): string {
  return stringifyForKubectl(document);
}

/**
 * The model's parser and writer, as code outside the core bundle gets them: with the core bundle
 * (see coreBundle.ts), because the yaml package is too heavy for activation.
 */
export interface KubeconfigFormat {
  parseKubeconfig: typeof parseKubeconfig;
  serializeKubeconfig: typeof serializeKubeconfig;
}

/** Fields the merge sets itself; every other top-level field comes from the first file that has it. */
const SET_BY_MERGE: readonly string[] = [...ENTRY_LISTS, 'current-context', 'apiVersion', 'kind'];

/**
 * kubectl's merge of KUBECONFIG's files, in order: the first definition of each cluster, user and
 * context wins, and so does the first non-empty current-context; every other top-level field
 * (preferences, extensions, a team's own) comes from the first file that has it. Entries are kept
 * whole. `contextSources` says which file defined each context.
 */
export function mergeKubeconfigs(parts: ReadonlyArray<{ path: string; document: KubeconfigDocument }>): {
  document: KubeconfigDocument;
  contextSources: Map<string, string>;
} {
  const lists: Pick<KubeconfigDocument, EntryList> = { clusters: [], users: [], contexts: [] };
  const seen: Record<EntryList, Set<string>> = { clusters: new Set(), users: new Set(), contexts: new Set() };
  const contextSources = new Map<string, string>();
  // A Map, not an object: a key such as "__proto__" or "toString" must be copied like any other.
  const topLevel = new Map<string, unknown>();
  let current: string | undefined;
  for (const { path, document } of parts) {
    for (const list of ENTRY_LISTS) {
      for (const entry of document[list]) {
        if (seen[list].has(entry.name)) continue;
        seen[list].add(entry.name);
        (lists[list] as unknown[]).push(entry);
        if (list === 'contexts') contextSources.set(entry.name, path);
      }
    }
    const fileCurrent = document['current-context'];
    if (current === undefined && typeof fileCurrent === 'string' && fileCurrent !== '') current = fileCurrent;
    for (const [key, value] of Object.entries(document)) {
      if (!SET_BY_MERGE.includes(key) && value !== null && value !== undefined && !topLevel.has(key)) topLevel.set(key, value);
    }
  }
  const document: KubeconfigDocument = {
    // There is one kubeconfig version; kubectl writes these two whatever the files said.
    apiVersion: 'v1',
    kind: 'Config',
    ...Object.fromEntries(topLevel),
    ...lists,
    ...(current !== undefined ? { 'current-context': current } : {}),
  };
  return { document, contextSources };
}

// The user's files, loaded for the view: kubectl's paths (kubeconfigFiles.ts), read and merged above.

export interface KubeconfigFileStatus {
  path: string;
  exists: boolean;
}

export interface ContextSummary {
  name: string;
  cluster: string | undefined;
  user: string | undefined;
  namespace: string | undefined;
  /** The API server URL of the context's cluster, when the cluster is defined. */
  server: string | undefined;
  /** The file that defined the context. */
  sourceFile: string;
  /** Set when the context cannot be used as it stands (a missing cluster or user). */
  problem?: string;
}

export type KubeconfigLoad =
  | { state: 'missing'; files: KubeconfigFileStatus[] }
  | { state: 'invalid'; files: KubeconfigFileStatus[]; problem: string }
  | { state: 'noContexts'; files: KubeconfigFileStatus[]; document: KubeconfigDocument }
  | {
      state: 'ok';
      files: KubeconfigFileStatus[];
      document: KubeconfigDocument;
      contexts: ContextSummary[];
      currentContext: string | undefined;
    };

export function summarizeContexts(document: KubeconfigDocument, contextSources: ReadonlyMap<string, string>): ContextSummary[] {
  const clusters = new Map(document.clusters.map((entry) => [entry.name, entry.cluster]));
  const users = new Set(document.users.map((entry) => entry.name));
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return document.contexts.map(({ name, context }) => {
    const cluster = typeof context.cluster === 'string' ? context.cluster : undefined;
    const user = typeof context.user === 'string' ? context.user : undefined;
    const clusterEntry = cluster ? clusters.get(cluster) : undefined;
    const server = typeof clusterEntry?.server === 'string' ? clusterEntry.server : undefined;
    let problem: string | undefined;
    if (!cluster) problem = 'the context names no cluster';
    else if (!clusterEntry) problem = `the context refers to cluster "${cluster}", which no kubeconfig file defines`;
    else if (!server) problem = `cluster "${cluster}" has no server address`;
    else if (user && !users.has(user)) problem = `the context refers to user "${user}", which no kubeconfig file defines`;
    return {
      name,
      cluster,
      user,
      namespace: text(context.namespace),
      server,
      sourceFile: contextSources.get(name) ?? '',
      ...(problem ? { problem } : {}),
    };
  });
}

/** Reads the files as kubectl does, never writing them: missing ones are skipped, as kubectl skips them. */
export async function loadKubeconfig(
  paths: readonly string[],
  read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): Promise<KubeconfigLoad> {
  const files: KubeconfigFileStatus[] = [];
  const parts: Array<{ path: string; document: KubeconfigDocument }> = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await read(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        files.push({ path, exists: false });
        continue;
      }
      files.push({ path, exists: true });
      return { state: 'invalid', files, problem: `${path}: cannot be read (${code ?? (error as Error).message})` };
    }
    files.push({ path, exists: true });
    try {
      parts.push({ path, document: parseKubeconfigText(path, text) });
    } catch (error) {
      return { state: 'invalid', files, problem: (error as Error).message };
    }
  }
  if (parts.length === 0) return { state: 'missing', files };
  const { document, contextSources } = mergeKubeconfigs(parts);
  if (document.contexts.length === 0) return { state: 'noContexts', files, document };
  const contexts = summarizeContexts(document, contextSources);
  const current = document['current-context'];
  return {
    state: 'ok',
    files,
    document,
    contexts,
    currentContext: current && contexts.some((context) => context.name === current) ? current : undefined,
  };
}
