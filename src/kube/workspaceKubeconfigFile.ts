import * as nodeFileSystem from 'node:fs/promises';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { asMapping, parseKubeconfig, serializeKubeconfig, type KubeconfigDocument } from './kubeconfig';
import { type AtomicWriteFileSystem, writeFileAtomically } from './kubeconfigWrite';
import { withFileLock } from './fileLock';
import { WorkspaceKubeconfigError, type ContextTarget, type SourcesSummary } from './workspaceKubeconfig';

/**
 * Reading and writing a workspace's kubeconfig file (built by workspaceKubeconfig.ts, in the
 * model's format, kubeconfig.ts): atomic 0600 writes under kubectl's lock, one writer per file and
 * process, temp files of interrupted writes cleared, and the summary of the user's files kept
 * beside it.
 */

/** A temp file older than this belongs to a write that will never finish, whoever its writer is. */
const ABANDONED_AFTER_MS = 10 * 60_000;

export type WorkspaceKubeconfigRead =
  | { state: 'missing' }
  | { state: 'ok'; currentContext: string | undefined; document: KubeconfigDocument }
  | { state: 'corrupt'; problem: string };

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
  const parsed = parseKubeconfig(text, { baseDir: dirname(path) });
  if (!parsed.ok) return { state: 'corrupt', problem: parsed.problem };
  if (parsed.empty) return { state: 'corrupt', problem: 'it is empty' };
  const current = parsed.document['current-context'];
  if (current === undefined || current === null || current === '') return { state: 'ok', currentContext: undefined, document: parsed.document };
  if (typeof current !== 'string') return { state: 'corrupt', problem: '"current-context" is not a name' };
  if (!parsed.document.contexts.some((entry) => entry.name === current)) {
    return { state: 'corrupt', problem: `its current-context "${current}" is not one of its contexts` };
  }
  return { state: 'ok', currentContext: current, document: parsed.document };
}

/**
 * Writes the document atomically (0600), then removes temp files that earlier writes of the same
 * target left behind: those whose writer process has died, and any older than 10 minutes. A temp
 * file of a live process may be a write in progress, so it stays; several calls may run at once.
 */
export async function writeWorkspaceKubeconfig(path: string, document: KubeconfigDocument, fileSystem: AtomicWriteFileSystem = nodeFileSystem): Promise<void> {
  await writeThenTidy(path, serializeKubeconfig(document), fileSystem, false);
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
  write(document: KubeconfigDocument, sources?: SourcesSummary): Promise<void> {
    // kubectl in this window's terminals writes the same file (use-context, set-context): its
    // lock protocol (`<file>.lock`) keeps the two writes from crossing.
    const written = this.queue.then(() => withFileLock(this.path, async () => {
      await writeThenTidy(this.path, serializeKubeconfig(document), this.fileSystem, true);
      if (sources) await writeThenTidy(this.sourcesPath, JSON.stringify(sources), this.fileSystem, true);
    }));
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
  const record = asMapping(value);
  const isNames = (list: unknown): list is string[] => Array.isArray(list) && list.every((name) => typeof name === 'string');
  const contexts = asMapping(record?.contexts);
  if (!record || !isNames(record.clusters) || !isNames(record.users) || !contexts) return undefined;
  const parsed: Record<string, ContextTarget> = Object.create(null) as Record<string, ContextTarget>;
  for (const [name, target] of Object.entries(contexts)) {
    const fields = asMapping(target);
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
