import { dirname } from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { kubectlValue, parseKubectlDocument } from './kubectlYaml';
import { absolutize, absolutizeUser, PATH_FIELDS } from './kubeconfig';

/**
 * The kubeconfig of one VS Code window: everything the user's kubeconfig files define, merged the
 * way kubectl merges them, plus the extension's vCluster contexts, with this window's context
 * current. Its terminals get KUBECONFIG pointing at it; the user's own files are never written.
 *
 * No error message quotes file content: a kubeconfig holds keys and tokens.
 */

export type Json = Record<string, unknown>;
type FileText = { path: string; text: string };

const ENTRY_LISTS = ['clusters', 'users', 'contexts'] as const;
type EntryList = (typeof ENTRY_LISTS)[number];

/** Top-level fields the merge sets itself; every other one is copied from the first file that has it. */
const NOT_COPIED_FROM_FILES: readonly string[] = [...ENTRY_LISTS, 'current-context', 'apiVersion', 'kind'];

export class WorkspaceKubeconfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkspaceKubeconfigError';
  }
}

export type Parsed = { ok: true; empty: boolean; document: Json; lists: Record<EntryList, Json[]> } | { ok: false; problem: string };

export function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

/** One file's kubeconfig, checked for the shape kubectl needs; problems say where but never quote. */
export function parseKubeconfig(text: string): Parsed {
  const empty: Parsed = { ok: true, empty: true, document: {}, lists: { clusters: [], users: [], contexts: [] } };
  if (text.trim() === '') return empty;
  // Read as kubectl reads it (YAML 1.1, first document); problems say where, never quote.
  const parsed = parseKubectlDocument(text);
  const at = (offset: number | undefined) => {
    const position = offset === undefined ? undefined : parsed.lineCounter.linePos(offset);
    return position ? ` at line ${position.line}, column ${position.col}` : '';
  };
  if (parsed.problem) return { ok: false, problem: parsed.problem };
  const contents = parsed.document.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return empty;
  if (!isMap(contents)) return { ok: false, problem: 'not a kubeconfig: its top level is not a mapping' };
  const decoded = kubectlValue(parsed);
  if (decoded.problem) return { ok: false, problem: decoded.problem };
  const document = decoded.value as Json;
  const lists = { clusters: [], users: [], contexts: [] } as Record<EntryList, Json[]>;
  for (const key of ENTRY_LISTS) {
    const value = document[key];
    if (value === undefined || value === null) continue;
    const node = contents.get(key, true) as Node | undefined;
    if (!Array.isArray(value)) return { ok: false, problem: `"${key}" is not a list${at(node?.range?.[0])}` };
    for (const [index, item] of value.entries()) {
      const entry = asObject(item);
      if (!entry || typeof entry.name !== 'string' || entry.name === '') {
        const item = isSeq(node) ? (node.items[index] as Node | undefined) : undefined;
        return { ok: false, problem: `entry ${index + 1} of "${key}" has no name${at(item?.range?.[0])}` };
      }
      lists[key].push(entry);
    }
  }
  return { ok: true, empty: false, document, lists };
}

/** Entries are kept whole (fields we do not know included); only relative file paths change. */
function withAbsolutePaths(list: EntryList, entry: Json, baseDir: string): Json {
  if (list === 'clusters' && asObject(entry.cluster)) return { ...entry, cluster: absolutize(entry.cluster as Json, PATH_FIELDS.cluster, baseDir) };
  if (list === 'users' && asObject(entry.user)) return { ...entry, user: absolutizeUser(entry.user as Json, baseDir) };
  return { ...entry };
}

const FIX_USER_FILE = 'Fix the file, or take it out of KUBECONFIG (or of the vcluster.kubeconfig setting).';
const FIX_EXTENSION_FILE = "It is the extension's own file of vCluster connections: move it aside and connect again (the extension recreates it).";

/**
 * What the user's files (and the extension's own) gave the workspace's file when it was last
 * written, in enough detail to tell kubectl's edits in the window's terminals from it: the names
 * of their entries, and each context's cluster, user and namespace. No credentials: it is kept
 * beside the file.
 */
export interface SourcesSummary {
  clusters: string[];
  users: string[];
  contexts: Record<string, ContextTarget>;
}

/** A context's cluster, user and namespace ('' when unset). */
export type ContextTarget = { cluster: string; user: string; namespace: string };

function contextTarget(entry: Json | undefined): ContextTarget {
  const context = asObject(entry?.context) ?? {};
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return { cluster: text(context.cluster), user: text(context.user), namespace: text(context.namespace) };
}

function summarizeSources(document: Record<EntryList, Json[]>): SourcesSummary {
  const contexts: Record<string, ContextTarget> = Object.create(null) as Record<string, ContextTarget>;
  for (const entry of document.contexts) contexts[entry.name as string] = contextTarget(entry);
  return { clusters: document.clusters.map((entry) => entry.name as string), users: document.users.map((entry) => entry.name as string), contexts };
}

/** The workspace's file as it is now, and what the user's files gave it at the last write. */
export interface TerminalEdits {
  path: string;
  current: Json;
  sources: SourcesSummary;
}

/**
 * kubectl in the window's terminals writes the workspace's file; what it made there is carried
 * over the user's files: an entry of a name the extension never wrote (`kubectl config
 * set-context dev --cluster=…`, `set-cluster`, `set-credentials`), and a context whose cluster,
 * user or namespace is not what the extension wrote (`set-context --current --namespace=dev`).
 * Everything else follows the user's files, so their changes still arrive; an entry deleted in a
 * terminal comes back from them. `edits.sources` is what those files gave at the last write, not
 * what was written: an entry kept from a terminal stays the terminal's. Returns the names of the
 * contexts kept.
 */
function keepTerminalEdits(merged: Record<EntryList, Json[]>, edits: TerminalEdits, contextFiles: Map<string, string>): string[] {
  const kept: string[] = [];
  const baseDir = dirname(edits.path);
  for (const list of ENTRY_LISTS) {
    const current = new Map<string, Json>();
    for (const item of Array.isArray(edits.current[list]) ? (edits.current[list] as unknown[]) : []) {
      const entry = asObject(item);
      if (typeof entry?.name === 'string' && entry.name !== '' && !current.has(entry.name)) current.set(entry.name, entry);
    }
    const fromFiles = new Set(list === 'contexts' ? Object.keys(edits.sources.contexts) : edits.sources[list]);
    const fromTerminal = (entry: Json) => {
      if (list === 'contexts') {
        kept.push(entry.name as string);
        contextFiles.set(entry.name as string, edits.path);
      }
      return withAbsolutePaths(list, entry, baseDir);
    };
    merged[list] = merged[list].map((entry) => {
      const name = entry.name as string;
      const now = current.get(name);
      if (!now) return entry;
      if (!fromFiles.has(name)) return fromTerminal(now);
      if (list !== 'contexts') return entry;
      const target = contextTarget(now);
      const before = edits.sources.contexts[name];
      if (!before || (before.cluster === target.cluster && before.user === target.user && before.namespace === target.namespace)) return entry;
      // The user's entry, with what the terminal set: its other fields keep following the file.
      const context: Json = { ...asObject(entry.context) };
      for (const key of ['cluster', 'user', 'namespace'] as const) {
        if (target[key]) context[key] = target[key];
        else delete context[key];
      }
      kept.push(name);
      return { ...entry, context };
    });
    const present = new Set(merged[list].map((entry) => entry.name));
    for (const [name, entry] of current) {
      if (!present.has(name) && !fromFiles.has(name)) merged[list].push(fromTerminal(entry));
    }
  }
  return kept;
}

/**
 * kubectl's merge of `sources` then `extra` (the extension's vCluster contexts, so the user's
 * definitions win a name clash): the first definition of each cluster, user and context wins, and
 * every other top-level field comes from the first file that has it. `currentContext` is current.
 */
export function buildWorkspaceKubeconfig(input: {
  sources: ReadonlyArray<FileText>;
  extra?: ReadonlyArray<FileText>;
  currentContext: string;
}): Json {
  return mergeWorkspaceKubeconfig(input).document;
}

/**
 * buildWorkspaceKubeconfig, with what kubectl made in the window's terminals kept (see
 * keepTerminalEdits); also says which contexts came from there.
 */
export function mergeWorkspaceKubeconfig(input: {
  sources: ReadonlyArray<FileText>;
  extra?: ReadonlyArray<FileText>;
  currentContext: string;
  terminalEdits?: TerminalEdits;
}): { document: Json; terminalContexts: string[]; sources: SourcesSummary } {
  const files = [
    ...input.sources.map((file) => ({ ...file, fix: FIX_USER_FILE })),
    ...(input.extra ?? []).map((file) => ({ ...file, fix: FIX_EXTENSION_FILE })),
  ];
  const merged: Record<EntryList, Json[]> = { clusters: [], users: [], contexts: [] };
  const seen: Record<EntryList, Set<unknown>> = { clusters: new Set(), users: new Set(), contexts: new Set() };
  const contextFiles = new Map<string, string>();
  // A Map, not an object: a key such as "__proto__" or "toString" must be copied like any other.
  const topLevel = new Map<string, unknown>();
  for (const file of files) {
    const parsed = parseKubeconfig(file.text);
    if (!parsed.ok) throw new WorkspaceKubeconfigError(`${file.path}: ${parsed.problem}. ${file.fix}`);
    for (const list of ENTRY_LISTS) {
      for (const entry of parsed.lists[list]) {
        if (seen[list].has(entry.name)) continue;
        seen[list].add(entry.name);
        merged[list].push(withAbsolutePaths(list, entry, dirname(file.path)));
        if (list === 'contexts') contextFiles.set(entry.name as string, file.path);
      }
    }
    for (const [key, value] of Object.entries(parsed.document)) {
      if (!NOT_COPIED_FROM_FILES.includes(key) && value !== null && value !== undefined && !topLevel.has(key)) topLevel.set(key, value);
    }
  }
  // Summarized before the terminal's entries join: the base the next write compares with.
  const sources = summarizeSources(merged);
  const terminalContexts = input.terminalEdits ? keepTerminalEdits(merged, input.terminalEdits, contextFiles) : [];
  requireUsableContext(input.currentContext, merged, contextFiles, files.map((file) => file.path));
  const document = {
    // There is one kubeconfig version; kubectl writes these two whatever the files said.
    apiVersion: 'v1',
    kind: 'Config',
    ...Object.fromEntries(topLevel),
    ...merged,
    'current-context': input.currentContext,
  };
  return { document, terminalContexts, sources };
}

function requireUsableContext(name: string, merged: Record<EntryList, Json[]>, contextFiles: ReadonlyMap<string, string>, paths: readonly string[]): void {
  const files = paths.length > 0 ? paths.join(', ') : '(no kubeconfig files)';
  const context = merged.contexts.find((entry) => entry.name === name);
  if (!context) {
    throw new WorkspaceKubeconfigError(`context "${name}" is not in any of: ${files}. Choose another context, or put the file that defines it back in KUBECONFIG (or in the vcluster.kubeconfig setting).`);
  }
  const where = contextFiles.get(name) ?? '';
  const cluster = asObject(context.context)?.cluster;
  if (typeof cluster !== 'string' || cluster === '') {
    throw new WorkspaceKubeconfigError(`context "${name}" in ${where} names no cluster. Add "cluster:" to it in that file, or choose another context.`);
  }
  if (!merged.clusters.some((entry) => entry.name === cluster)) {
    throw new WorkspaceKubeconfigError(`context "${name}" in ${where} refers to cluster "${cluster}", which none of ${files} defines. Add the cluster to one of them, or choose another context.`);
  }
}
