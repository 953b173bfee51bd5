import * as nodeFileSystem from 'node:fs/promises';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Node } from 'yaml';
import { absolutize, absolutizeUser, PATH_FIELDS } from './kubeconfig';
import { type AtomicWriteFileSystem, writeFileAtomically } from './kubeconfigWrite';

/**
 * The kubeconfig of one VS Code window: everything the user's kubeconfig files define, merged the
 * way kubectl merges them, plus the extension's vCluster contexts, with this window's context
 * current. Its terminals get KUBECONFIG pointing at it; the user's own files are never written.
 *
 * No error message quotes file content: a kubeconfig holds keys and tokens.
 */

type Json = Record<string, unknown>;
type FileText = { path: string; text: string };

const ENTRY_LISTS = ['clusters', 'users', 'contexts'] as const;
type EntryList = (typeof ENTRY_LISTS)[number];

/** Top-level fields the merge sets itself; every other one is copied from the first file that has it. */
const NOT_COPIED_FROM_FILES: readonly string[] = [...ENTRY_LISTS, 'current-context', 'apiVersion', 'kind'];

/** A temp file older than this belongs to a write that will never finish, whoever its writer is. */
const ABANDONED_AFTER_MS = 10 * 60_000;

export class WorkspaceKubeconfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkspaceKubeconfigError';
  }
}

export type WorkspaceKubeconfigRead =
  | { state: 'missing' }
  | { state: 'ok'; currentContext: string | undefined; document: Json }
  | { state: 'corrupt'; problem: string };

type Parsed = { ok: true; empty: boolean; document: Json; lists: Record<EntryList, Json[]> } | { ok: false; problem: string };

function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

/** One file's kubeconfig, checked for the shape kubectl needs; problems say where but never quote. */
function parseKubeconfig(text: string): Parsed {
  const empty: Parsed = { ok: true, empty: true, document: {}, lists: { clusters: [], users: [], contexts: [] } };
  if (text.trim() === '') return empty;
  // prettyErrors would copy the offending line, which may hold a key, into the message.
  const lineCounter = new LineCounter();
  const parsed = parseDocument(text, { prettyErrors: false, uniqueKeys: false, lineCounter });
  const at = (offset: number | undefined) => {
    const position = offset === undefined ? undefined : lineCounter.linePos(offset);
    return position ? ` at line ${position.line}, column ${position.col}` : '';
  };
  const firstError = parsed.errors[0];
  if (firstError) return { ok: false, problem: `not valid YAML${at(firstError.pos[0])} (${firstError.code})` };
  const contents = parsed.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return empty;
  if (!isMap(contents)) return { ok: false, problem: 'not a kubeconfig: its top level is not a mapping' };
  let document: Json;
  try {
    document = parsed.toJS() as Json;
  } catch {
    // toJS's own message names the alias, which is file content.
    return { ok: false, problem: 'not a kubeconfig: it uses a YAML alias that cannot be expanded' };
  }
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
type ContextTarget = { cluster: string; user: string; namespace: string };

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

/**
 * Strings double-quoted: kubectl reads YAML 1.1, where a bare yes, no, on or 0777 is not a string.
 * No aliases and no folded lines, so any YAML reader sees exactly what was merged.
 */
function serialize(document: Json): string {
  return stringify(document, { aliasDuplicateObjects: false, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
}

/** What our own file should look like; anything else means someone else changed or damaged it. */
export async function readWorkspaceKubeconfig(path: string): Promise<WorkspaceKubeconfigRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { state: 'missing' };
    if (code === 'EISDIR') return { state: 'corrupt', problem: 'it is a folder, not a file' };
    throw error;
  }
  const parsed = parseKubeconfig(text);
  if (!parsed.ok) return { state: 'corrupt', problem: parsed.problem };
  if (parsed.empty) return { state: 'corrupt', problem: 'it is empty' };
  const current = parsed.document['current-context'];
  if (current === undefined || current === null || current === '') return { state: 'ok', currentContext: undefined, document: parsed.document };
  if (typeof current !== 'string') return { state: 'corrupt', problem: '"current-context" is not a name' };
  if (!parsed.lists.contexts.some((entry) => entry.name === current)) {
    return { state: 'corrupt', problem: `its current-context "${current}" is not one of its contexts` };
  }
  return { state: 'ok', currentContext: current, document: parsed.document };
}

/**
 * Writes the document atomically (0600), then removes temp files that earlier writes of the same
 * target left behind: those whose writer process has died, and any older than 10 minutes. A temp
 * file of a live process may be a write in progress, so it stays; several calls may run at once.
 */
export async function writeWorkspaceKubeconfig(path: string, document: Json, fileSystem: AtomicWriteFileSystem = nodeFileSystem): Promise<void> {
  await writeThenTidy(path, serialize(document), fileSystem, false);
}

/**
 * The one writer of a workspace kubeconfig in this process. Its writes run one at a time, in the
 * order they were asked for, so between two of them no temp file carrying this process's id can
 * be a write in progress: the next write also removes the ones an interrupted write of ours left.
 * Make one instance per target, and write that target only through it.
 */
export class WorkspaceKubeconfigFile {
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly path: string, private readonly fileSystem: AtomicWriteFileSystem = nodeFileSystem) {}

  /** Beside the file: what the user's files gave it at the last write (see SourcesSummary). */
  get sourcesPath(): string {
    return `${this.path}.sources.json`;
  }

  /**
   * Writes the document, then the summary of what the user's files gave it. A crash between the
   * two leaves the older summary: for one write, entries that came and went with the user's files
   * then look like the terminal's. Nothing is lost or corrupted.
   */
  write(document: Json, sources?: SourcesSummary): Promise<void> {
    const written = this.queue.then(async () => {
      await writeThenTidy(this.path, serialize(document), this.fileSystem, true);
      if (sources) await writeThenTidy(this.sourcesPath, JSON.stringify(sources), this.fileSystem, true);
    });
    this.queue = written.catch(() => undefined);
    return written;
  }

  read(): Promise<WorkspaceKubeconfigRead> {
    return readWorkspaceKubeconfig(this.path);
  }

  /** The summary of the last write; undefined when there is none or it is not one. */
  async readSources(): Promise<SourcesSummary | undefined> {
    try {
      return parseSourcesSummary(JSON.parse(await readFile(this.sourcesPath, 'utf8')));
    } catch {
      return undefined;
    }
  }
}

function parseSourcesSummary(value: unknown): SourcesSummary | undefined {
  const record = asObject(value);
  const isNames = (list: unknown): list is string[] => Array.isArray(list) && list.every((name) => typeof name === 'string');
  const contexts = asObject(record?.contexts);
  if (!record || !isNames(record.clusters) || !isNames(record.users) || !contexts) return undefined;
  const parsed: Record<string, ContextTarget> = Object.create(null) as Record<string, ContextTarget>;
  for (const [name, target] of Object.entries(contexts)) {
    const fields = asObject(target);
    if (!fields || typeof fields.cluster !== 'string' || typeof fields.user !== 'string' || typeof fields.namespace !== 'string') return undefined;
    parsed[name] = { cluster: fields.cluster, user: fields.user, namespace: fields.namespace };
  }
  return { clusters: record.clusters, users: record.users, contexts: parsed };
}

async function writeThenTidy(path: string, text: string, fileSystem: AtomicWriteFileSystem, ownProcessIdle: boolean): Promise<void> {
  let temporary: string | undefined;
  // writeFileAtomically leaves its temp file behind when writing or flushing fails: note its name.
  const noting: AtomicWriteFileSystem = {
    mkdir: (directory, options) => fileSystem.mkdir(directory, options),
    open: async (file, flags, mode) => {
      const handle = await fileSystem.open(file, flags, mode);
      temporary = file;
      return handle;
    },
    chmod: (file, mode) => fileSystem.chmod(file, mode),
    rename: (from, to) => fileSystem.rename(from, to),
    rm: (file, options) => fileSystem.rm(file, options),
  };
  try {
    await writeFileAtomically(path, text, noting);
  } catch (error) {
    if (temporary) await fileSystem.rm(temporary, { force: true }).catch(() => undefined);
    const reason = error instanceof Error ? (error as NodeJS.ErrnoException).code ?? error.message : String(error);
    throw new WorkspaceKubeconfigError(
      `Could not write ${path} (${reason}); the previous version is unchanged. Check that ${dirname(path)} is writable and the disk is not full.`,
      { cause: error },
    );
  }
  await removeAbandonedTemporaries(path, fileSystem, ownProcessIdle);
}

/** Best effort: the document is already in place, so a failure to tidy must not fail the write. */
async function removeAbandonedTemporaries(target: string, fileSystem: AtomicWriteFileSystem, ownProcessIdle: boolean): Promise<void> {
  const directory = dirname(target);
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return;
  }
  const now = Date.now();
  await Promise.all(names.map(async (name) => {
    const writer = writerOfTemporary(name, basename(target));
    if (writer === undefined) return;
    const file = join(directory, name);
    if (await isAbandoned(file, writer, now, ownProcessIdle)) await fileSystem.rm(file, { force: true }).catch(() => undefined);
  }));
}

/** The pid in a name writeFileAtomically gives its temp files: `.${target}.${pid}.${hex}.tmp`. */
function writerOfTemporary(name: string, target: string): number | undefined {
  const prefix = `.${target}.`;
  if (!name.startsWith(prefix)) return undefined;
  const match = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length));
  return match ? Number(match[1]) : undefined;
}

async function isAbandoned(file: string, writer: number, now: number, ownProcessIdle: boolean): Promise<boolean> {
  if (writer === process.pid ? ownProcessIdle : !isProcessAlive(writer)) return true;
  try {
    return now - (await stat(file)).mtimeMs > ABANDONED_AFTER_MS;
  } catch {
    return false;
  }
}

function isProcessAlive(pid: number): boolean {
  // pid 0 would address our own process group; no writer has it.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
