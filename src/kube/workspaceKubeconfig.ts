import { dirname } from 'node:path';
import {
  ENTRY_LISTS, mergeKubeconfigs, parseKubeconfig, withAbsolutePaths,
  type ContextFields, type EntryList, type KubeconfigDocument, type NamedCluster, type NamedContext, type NamedUser,
} from './kubeconfig';

/**
 * The kubeconfig of one VS Code window: everything the user's kubeconfig files define, merged the
 * way kubectl merges them (kubeconfig.ts), plus the extension's vCluster contexts, with this
 * window's context current. Its terminals get KUBECONFIG pointing at it; the user's own files are
 * never written. workspaceKubeconfigFile.ts writes it.
 *
 * No error message quotes file content: a kubeconfig holds keys and tokens.
 */

type FileText = { path: string; text: string };
type Entry = NamedCluster | NamedUser | NamedContext;

export class WorkspaceKubeconfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkspaceKubeconfigError';
  }
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

function contextTarget(entry: NamedContext | undefined): ContextTarget {
  const context: ContextFields = entry?.context ?? {};
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return { cluster: text(context.cluster), user: text(context.user), namespace: text(context.namespace) };
}

function summarizeSources(document: KubeconfigDocument): SourcesSummary {
  const contexts: Record<string, ContextTarget> = Object.create(null) as Record<string, ContextTarget>;
  for (const entry of document.contexts) contexts[entry.name] = contextTarget(entry);
  return { clusters: document.clusters.map((entry) => entry.name), users: document.users.map((entry) => entry.name), contexts };
}

/** The workspace's file as it is now, and what the user's files gave it at the last write. */
export interface TerminalEdits {
  path: string;
  current: KubeconfigDocument;
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
function keepTerminalEdits(merged: KubeconfigDocument, edits: TerminalEdits, contextFiles: Map<string, string>): string[] {
  const kept: string[] = [];
  const baseDir = dirname(edits.path);
  for (const list of ENTRY_LISTS) {
    const current = new Map<string, Entry>();
    for (const entry of edits.current[list] as Entry[]) if (!current.has(entry.name)) current.set(entry.name, entry);
    const fromFiles = new Set(list === 'contexts' ? Object.keys(edits.sources.contexts) : edits.sources[list]);
    const fromTerminal = (entry: Entry) => {
      if (list === 'contexts') {
        kept.push(entry.name);
        contextFiles.set(entry.name, edits.path);
      }
      return withAbsolutePaths(list, entry, baseDir);
    };
    const entries = (merged[list] as Entry[]).map((entry) => {
      const now = current.get(entry.name);
      if (!now) return entry;
      if (!fromFiles.has(entry.name)) return fromTerminal(now);
      if (list !== 'contexts') return entry;
      const target = contextTarget(now as NamedContext);
      const before = edits.sources.contexts[entry.name];
      if (!before || (before.cluster === target.cluster && before.user === target.user && before.namespace === target.namespace)) return entry;
      // The user's entry, with what the terminal set: its other fields keep following the file.
      const context: ContextFields = { ...(entry as NamedContext).context };
      for (const key of ['cluster', 'user', 'namespace'] as const) {
        if (target[key]) context[key] = target[key];
        else delete context[key];
      }
      kept.push(entry.name);
      return { ...entry, context };
    });
    const present = new Set(entries.map((entry) => entry.name));
    for (const [name, entry] of current) {
      if (!present.has(name) && !fromFiles.has(name)) entries.push(fromTerminal(entry));
    }
    (merged as Record<EntryList, Entry[]>)[list] = entries;
  }
  return kept;
}

/**
 * kubectl's merge (mergeKubeconfigs) of `sources` then `extra` (the extension's vCluster
 * contexts, so the user's definitions win a name clash). `currentContext` is current.
 */
export function buildWorkspaceKubeconfig(input: {
  sources: ReadonlyArray<FileText>;
  extra?: ReadonlyArray<FileText>;
  currentContext: string;
}): KubeconfigDocument {
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
}): { document: KubeconfigDocument; terminalContexts: string[]; sources: SourcesSummary } {
  const files = [
    ...input.sources.map((file) => ({ ...file, fix: FIX_USER_FILE })),
    ...(input.extra ?? []).map((file) => ({ ...file, fix: FIX_EXTENSION_FILE })),
  ];
  const parts = files.map((file) => {
    const parsed = parseKubeconfig(file.text, { baseDir: dirname(file.path) });
    if (!parsed.ok) throw new WorkspaceKubeconfigError(`${file.path}: ${parsed.problem}. ${file.fix}`);
    return { path: file.path, document: parsed.document };
  });
  const { document: merged, contextSources } = mergeKubeconfigs(parts);
  // Summarized before the terminal's entries join: the base the next write compares with.
  const sources = summarizeSources(merged);
  const terminalContexts = input.terminalEdits ? keepTerminalEdits(merged, input.terminalEdits, contextSources) : [];
  requireUsableContext(input.currentContext, merged, contextSources, files.map((file) => file.path));
  return { document: { ...merged, 'current-context': input.currentContext }, terminalContexts, sources };
}

function requireUsableContext(name: string, merged: KubeconfigDocument, contextFiles: ReadonlyMap<string, string>, paths: readonly string[]): void {
  const files = paths.length > 0 ? paths.join(', ') : '(no kubeconfig files)';
  const context = merged.contexts.find((entry) => entry.name === name);
  if (!context) {
    throw new WorkspaceKubeconfigError(`context "${name}" is not in any of: ${files}. Choose another context, or put the file that defines it back in KUBECONFIG (or in the vcluster.kubeconfig setting).`);
  }
  const where = contextFiles.get(name) ?? '';
  const cluster = context.context.cluster;
  if (typeof cluster !== 'string' || cluster === '') {
    throw new WorkspaceKubeconfigError(`context "${name}" in ${where} names no cluster. Add "cluster:" to it in that file, or choose another context.`);
  }
  if (!merged.clusters.some((entry) => entry.name === cluster)) {
    throw new WorkspaceKubeconfigError(`context "${name}" in ${where} refers to cluster "${cluster}", which none of ${files} defines. Add the cluster to one of them, or choose another context.`);
  }
}
