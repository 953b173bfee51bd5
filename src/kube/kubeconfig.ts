import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isMap } from 'yaml';
import { kubectlValue, parseKubectlDocument } from './kubectlYaml';

/**
 * Reads and merges kubeconfig files the way kubectl does, without ever writing them:
 * for clusters, contexts and users the first file that defines a name wins, and the first
 * non-empty current-context wins. Missing files are skipped, as kubectl skips them.
 * Relative certificate and key paths are made absolute against the file that names them,
 * so the merged config means the same thing wherever it is used.
 */

type Json = Record<string, unknown>;

export interface NamedCluster { name: string; cluster: Json }
export interface NamedUser { name: string; user: Json }
export interface NamedContext { name: string; context: { cluster?: string; user?: string; namespace?: string } & Json }

export interface KubeconfigDocument {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: NamedCluster[];
  users: NamedUser[];
  contexts: NamedContext[];
  'current-context'?: string;
  preferences?: Json;
}

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

export class KubeconfigParseError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = 'KubeconfigParseError';
  }
}

/** Certificate, key and token file paths: kubectl reads them relative to the file that names them. */
export const PATH_FIELDS = {
  cluster: ['certificate-authority'],
  user: ['client-certificate', 'client-key', 'tokenFile'],
} as const;

function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

export function absolutize(entry: Json, fields: readonly string[], baseDir: string): Json {
  const copy = { ...entry };
  for (const field of fields) {
    const value = copy[field];
    if (typeof value === 'string' && value !== '' && !isAbsolute(value)) copy[field] = resolve(baseDir, value);
  }
  return copy;
}

/**
 * A user entry with its file paths absolute, as client-go reads it (GetAuthInfoFileReferences):
 * certificate, key and token file, and an exec plugin's command when it names a path
 * (`./bin/token-helper`) rather than a program found on PATH (`aws`).
 */
export function absolutizeUser(user: Json, baseDir: string): Json {
  const copy = absolutize(user, PATH_FIELDS.user, baseDir);
  const exec = asObject(copy.exec);
  if (exec && typeof exec.command === 'string' && exec.command.includes('/') && !isAbsolute(exec.command)) {
    copy.exec = { ...exec, command: resolve(baseDir, exec.command) };
  }
  return copy;
}

/**
 * Parses one file's text. The error never quotes the file's content: a kubeconfig holds keys and
 * tokens, and YAML parsers like to print the offending line.
 */
export function parseKubeconfigText(path: string, text: string): Partial<KubeconfigDocument> {
  // Read as kubectl reads it (YAML 1.1, first document); problems say where, never quote.
  const parsed = parseKubectlDocument(text);
  if (parsed.problem) throw new KubeconfigParseError(path, parsed.problem);
  const { document } = parsed;
  if (document.contents === null) return {};
  if (!isMap(document.contents)) throw new KubeconfigParseError(path, 'is not a kubeconfig (its top level is not a mapping)');
  const decoded = kubectlValue(parsed);
  if (decoded.problem) throw new KubeconfigParseError(path, decoded.problem);
  const raw = decoded.value as Json;
  const baseDir = dirname(path);
  const listOf = (key: 'clusters' | 'users' | 'contexts'): Json[] => {
    const value = raw[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw new KubeconfigParseError(path, `"${key}" is not a list`);
    return value.map((item, index) => {
      const object = asObject(item);
      if (!object || typeof object.name !== 'string' || object.name === '') {
        throw new KubeconfigParseError(path, `entry ${index + 1} of "${key}" has no name`);
      }
      return object;
    });
  };
  const clusters = listOf('clusters').map((item) => ({
    name: item.name as string,
    cluster: absolutize(asObject(item.cluster) ?? {}, PATH_FIELDS.cluster, baseDir),
  }));
  const users = listOf('users').map((item) => ({
    name: item.name as string,
    user: absolutizeUser(asObject(item.user) ?? {}, baseDir),
  }));
  const contexts = listOf('contexts').map((item) => ({
    name: item.name as string,
    context: (asObject(item.context) ?? {}) as NamedContext['context'],
  }));
  const current = raw['current-context'];
  return {
    clusters,
    users,
    contexts,
    ...(typeof current === 'string' && current !== '' ? { 'current-context': current } : {}),
    ...(asObject(raw.preferences) ? { preferences: asObject(raw.preferences) } : {}),
  };
}

/** kubectl's merge: the first definition of each name wins; so does the first current-context. */
export function mergeKubeconfigs(parts: ReadonlyArray<{ path: string; config: Partial<KubeconfigDocument> }>): {
  document: KubeconfigDocument;
  contextSources: Map<string, string>;
} {
  const document: KubeconfigDocument = { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] };
  const contextSources = new Map<string, string>();
  const seen = { clusters: new Set<string>(), users: new Set<string>(), contexts: new Set<string>() };
  for (const { path, config } of parts) {
    for (const cluster of config.clusters ?? []) {
      if (!seen.clusters.has(cluster.name)) { seen.clusters.add(cluster.name); document.clusters.push(cluster); }
    }
    for (const user of config.users ?? []) {
      if (!seen.users.has(user.name)) { seen.users.add(user.name); document.users.push(user); }
    }
    for (const context of config.contexts ?? []) {
      if (!seen.contexts.has(context.name)) {
        seen.contexts.add(context.name);
        document.contexts.push(context);
        contextSources.set(context.name, path);
      }
    }
    if (!document['current-context'] && config['current-context']) document['current-context'] = config['current-context'];
    if (!document.preferences && config.preferences) document.preferences = config.preferences;
  }
  return { document, contextSources };
}

export function summarizeContexts(document: KubeconfigDocument, contextSources: ReadonlyMap<string, string>): ContextSummary[] {
  const clusters = new Map(document.clusters.map((entry) => [entry.name, entry.cluster]));
  const users = new Set(document.users.map((entry) => entry.name));
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
      namespace: typeof context.namespace === 'string' && context.namespace !== '' ? context.namespace : undefined,
      server,
      sourceFile: contextSources.get(name) ?? '',
      ...(problem ? { problem } : {}),
    };
  });
}

export async function loadKubeconfig(
  paths: readonly string[],
  read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): Promise<KubeconfigLoad> {
  const files: KubeconfigFileStatus[] = [];
  const parts: Array<{ path: string; config: Partial<KubeconfigDocument> }> = [];
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
      parts.push({ path, config: parseKubeconfigText(path, text) });
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
