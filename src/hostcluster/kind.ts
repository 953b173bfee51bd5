import { stat } from 'node:fs/promises';
import {
  describeCommand,
  ProcessCancelledError,
  ProcessError,
  ProcessFailedError,
  ProcessTimeoutError,
  ProgramNotFoundError,
  runProcess,
  type RunOptions,
} from '../process/run';

/**
 * kind (Kubernetes in Docker) as a local host cluster: list, create and delete clusters through
 * the `kind` CLI, and turn its failures into one-line messages that say what to do.
 */

export const KIND_INSTALL_URL = 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation';
export const DEFAULT_KIND_CLUSTER_NAME = 'kind';
const KIND_CONTEXT_PREFIX = 'kind-';

const LIST_TIMEOUT_MS = 30_000;
const DELETE_TIMEOUT_MS = 3 * 60_000;
/** Pulling kindest/node (~1 GB) on a slow line takes minutes; the user can cancel sooner. */
const CREATE_TIMEOUT_MS = 20 * 60_000;
/** How long `--wait` lets kind wait for the control plane to be Ready. */
const CONTROL_PLANE_WAIT = '60s';
const OUTPUT_LINES_IN_ERRORS = 15;

/**
 * kind's own rule, pkg/internal/apis/config/validate.go (kubernetes-sigs/kind):
 * `validNameRE = regexp.MustCompile(`^[a-z0-9.-]+$`)`.
 */
const KIND_NAME_PATTERN = /^[a-z0-9.-]+$/;
/**
 * pkg/cluster/internal/create/create.go: `clusterNameMax = 50` (64-character host names minus
 * "-control-plane"); kind only warns past it, but the node's host name then fails to set.
 */
const KIND_NAME_MAX = 50;

export type KindErrorReason =
  | 'kindMissing'
  | 'engineUnavailable'
  | 'alreadyExists'
  | 'configMissing'
  | 'invalidInput'
  | 'cancelled'
  | 'timeout'
  | 'failed';

/** Every failure of this module: the first line is for the user, the rest (kind's output) for the log. */
export class KindError extends Error {
  constructor(
    readonly reason: KindErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KindError';
  }
}

export interface KindRunOptions {
  /** The configured path of kind (vcluster.kindPath); empty or absent: `kind` on PATH. */
  kindCommand?: string;
  signal?: AbortSignal;
  onLine?: RunOptions['onLine'];
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface CreateKindClusterOptions extends KindRunOptions {
  name: string;
  configFile?: string;
  nodeImage?: string;
  kubeconfigPath?: string;
  /**
   * After a cancel or timeout, run `kind delete cluster` for the name: kind is killed mid-way and
   * cannot remove the node containers it already made. Only safe when the name was free before.
   */
  cleanUpIfStopped?: boolean;
}

export interface DeleteKindClusterOptions extends KindRunOptions {
  name: string;
  kubeconfigPath?: string;
}

export function kindContextName(clusterName: string): string {
  return `${KIND_CONTEXT_PREFIX}${clusterName}`;
}

/** The kind cluster a kube context belongs to, by kind's naming (`kind-NAME`); undefined otherwise. */
export function kindClusterOfContext(contextName: string): string | undefined {
  if (!contextName.startsWith(KIND_CONTEXT_PREFIX)) return undefined;
  const name = contextName.slice(KIND_CONTEXT_PREFIX.length);
  return KIND_NAME_PATTERN.test(name) ? name : undefined;
}

/** An error to show while the name is typed, or undefined when kind will accept it. */
export function validateKindClusterName(name: string): string | undefined {
  if (name === '') return 'Enter a name for the kind cluster.';
  if (!KIND_NAME_PATTERN.test(name)) {
    return 'Use lowercase letters, digits, "." and "-" only (kind requires ^[a-z0-9.-]+$).';
  }
  // The node containers are named NAME-control-plane; Docker container names must start alphanumeric.
  if (!/^[a-z0-9]/.test(name)) return 'Start with a lowercase letter or a digit.';
  if (name.length > KIND_NAME_MAX) return `Use at most ${KIND_NAME_MAX} characters (the node host name adds "-control-plane").`;
  return undefined;
}

/** A node image is one argument to `--image`; refuse what kind would read as a flag or split. */
export function validateNodeImage(image: string): string | undefined {
  if (image === '') return undefined;
  if (/\s/.test(image)) return 'An image reference has no spaces, e.g. kindest/node:v1.33.1.';
  if (image.startsWith('-')) return 'An image reference cannot start with "-".';
  return undefined;
}

/** "kind" when free (kind's default), else the first free "kind-N". */
export function suggestKindClusterName(existing: readonly string[]): string {
  if (!existing.includes(DEFAULT_KIND_CLUSTER_NAME)) return DEFAULT_KIND_CLUSTER_NAME;
  for (let index = 2; ; index++) {
    const candidate = `${DEFAULT_KIND_CLUSTER_NAME}-${index}`;
    if (!existing.includes(candidate)) return candidate;
  }
}

/** `kind get clusters` prints names on stdout; "No kind clusters found." goes to stderr (kind's logger). */
export function parseKindClusters(stdout: string): string[] {
  return stdout
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== 'No kind clusters found.');
}

export function kindCreateArgs(options: Pick<CreateKindClusterOptions, 'name' | 'configFile' | 'nodeImage' | 'kubeconfigPath'>): string[] {
  return [
    'create', 'cluster', '--name', options.name,
    ...(options.configFile ? ['--config', options.configFile] : []),
    ...(options.nodeImage ? ['--image', options.nodeImage] : []),
    ...(options.kubeconfigPath ? ['--kubeconfig', options.kubeconfigPath] : []),
    '--wait', CONTROL_PLANE_WAIT,
  ];
}

export function kindDeleteArgs(options: Pick<DeleteKindClusterOptions, 'name' | 'kubeconfigPath'>): string[] {
  return ['delete', 'cluster', '--name', options.name, ...(options.kubeconfigPath ? ['--kubeconfig', options.kubeconfigPath] : [])];
}

export async function listKindClusters(kindCommand: string | undefined, options: Omit<KindRunOptions, 'kindCommand'> = {}): Promise<string[]> {
  const command = resolveKindCommand(kindCommand);
  const args = ['get', 'clusters'];
  try {
    const result = await runProcess(command, args, { ...runOptions(options), timeoutMs: options.timeoutMs ?? LIST_TIMEOUT_MS });
    return parseKindClusters(result.stdout);
  } catch (error) {
    throw translateKindError(error, { action: 'list', command: kindCommand, args });
  }
}

export async function createKindCluster(options: CreateKindClusterOptions): Promise<{ name: string; contextName: string }> {
  const nameProblem = validateKindClusterName(options.name) ?? validateNodeImage(options.nodeImage ?? '');
  if (nameProblem) throw new KindError('invalidInput', `Cannot create kind cluster "${options.name}": ${nameProblem}`);
  if (options.configFile) await assertConfigFileExists(options.configFile);
  // Before kind starts there is nothing to clean up, and nothing to warn about.
  if (options.signal?.aborted) throw new KindError('cancelled', `Creating kind cluster "${options.name}" was cancelled.`);

  const command = resolveKindCommand(options.kindCommand);
  const args = kindCreateArgs(options);
  try {
    await runProcess(command, args, { ...runOptions(options), timeoutMs: options.timeoutMs ?? CREATE_TIMEOUT_MS });
    return { name: options.name, contextName: kindContextName(options.name) };
  } catch (error) {
    const stopped = error instanceof ProcessCancelledError || error instanceof ProcessTimeoutError;
    const cleanedUp = stopped && options.cleanUpIfStopped ? await removePartialCluster(options) : undefined;
    throw translateKindError(error, { action: 'create', command: options.kindCommand, args, name: options.name, cleanedUp });
  }
}

export async function deleteKindCluster(options: DeleteKindClusterOptions): Promise<void> {
  const nameProblem = validateKindClusterName(options.name);
  if (nameProblem) throw new KindError('invalidInput', `Cannot delete kind cluster "${options.name}": ${nameProblem}`);
  const command = resolveKindCommand(options.kindCommand);
  const args = kindDeleteArgs(options);
  try {
    await runProcess(command, args, { ...runOptions(options), timeoutMs: options.timeoutMs ?? DELETE_TIMEOUT_MS });
  } catch (error) {
    throw translateKindError(error, { action: 'delete', command: options.kindCommand, args, name: options.name });
  }
}

function resolveKindCommand(kindCommand: string | undefined): string {
  return kindCommand?.trim() || 'kind';
}

function runOptions(options: Omit<KindRunOptions, 'kindCommand'>): Omit<RunOptions, 'timeoutMs'> {
  return { signal: options.signal, onLine: options.onLine, env: options.env };
}

async function assertConfigFileExists(path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) {
    throw new KindError('configMissing', `The kind config file ${path} does not exist — choose another file, or none for kind's default.`);
  }
}

/** Not cancellable: it is the clean-up of a cancel. Reports through onLine; never throws. */
async function removePartialCluster(options: CreateKindClusterOptions): Promise<boolean> {
  options.onLine?.(`Removing what kind made of "${options.name}" before it was stopped…`, 'stderr');
  try {
    await runProcess(resolveKindCommand(options.kindCommand), kindDeleteArgs(options), {
      onLine: options.onLine, env: options.env, timeoutMs: DELETE_TIMEOUT_MS,
    });
    return true;
  } catch (error) {
    options.onLine?.(`Could not remove it: ${(error as Error).message.split('\n')[0]}`, 'stderr');
    return false;
  }
}

/**
 * Why the container engine kind drives cannot be used, from kind's real messages:
 * - engine binary absent: kind's exec.RunError prints `command "docker info --format '{{json .}}'"
 *   failed with error: exec: "docker": executable file not found in $PATH` (pkg/exec/types.go;
 *   kind falls back to docker when it detects no provider, pkg/cluster/provider.go);
 * - daemon down: `Command Output: Cannot connect to the Docker daemon at unix:///…/docker.sock. Is
 *   the docker daemon running?` (ByConity/byconity-deploy#14), Windows: `error during connect`;
 * - socket permission: `Got permission denied while trying to connect to the Docker daemon socket`
 *   (kubernetes-sigs/kind#860);
 * - Podman: `Cannot connect to Podman. Please verify your connection…` (itbench-hub/ITBench#10).
 */
export function diagnoseContainerEngine(output: string): string | undefined {
  const missing = /exec: "(docker|podman|nerdctl)(?:\.exe)?": executable file not found/.exec(output);
  if (missing) return `"${missing[1]}" is not installed (not found on PATH)`;
  if (/permission denied while trying to connect to the docker daemon socket/i.test(output)) {
    return 'permission denied on the Docker socket (add your user to the "docker" group)';
  }
  if (/Cannot connect to the Docker daemon|Is the docker daemon running\?|error during connect/i.test(output)) {
    return 'the Docker daemon is not running';
  }
  if (/Cannot connect to Podman|unable to connect to Podman socket/i.test(output)) {
    return 'Podman is not running (on macOS or Windows: podman machine start)';
  }
  if (/failed to detect any supported node provider/.test(output)) return 'no Docker, Podman or nerdctl was found';
  return undefined;
}

interface FailureContext {
  action: 'list' | 'create' | 'delete';
  command: string | undefined;
  args: readonly string[];
  name?: string;
  /** Set when a stopped create was followed by a clean-up attempt. */
  cleanedUp?: boolean;
}

function describeAction(context: FailureContext): { attempt: string; ongoing: string } {
  const cluster = `cluster "${context.name ?? ''}"`;
  switch (context.action) {
    case 'list': return { attempt: 'list clusters', ongoing: 'Listing kind clusters' };
    case 'create': return { attempt: `create ${cluster}`, ongoing: `Creating kind ${cluster}` };
    case 'delete': return { attempt: `delete ${cluster}`, ongoing: `Deleting kind ${cluster}` };
  }
}

function lastLines(text: string, count: number): string {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '').slice(-count).join('\n');
}

/** kind ends a failure with "ERROR: …" (pkg/cmd/kind/app); that line is the best one-line summary. */
function summarizeKindOutput(output: string): string {
  const lines = output.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  const errorLine = [...lines].reverse().find((line) => line.startsWith('ERROR:'));
  const summary = (errorLine ?? lines.at(-1) ?? 'no output').replace(/^ERROR:\s*/, '');
  return summary.length > 300 ? `${summary.slice(0, 297)}…` : summary;
}

/** Maps a runProcess failure to a KindError; anything else passes through unchanged. */
export function translateKindError(error: unknown, context: FailureContext): unknown {
  if (error instanceof KindError) return error;
  const commandLine = describeCommand(resolveKindCommand(context.command), context.args);
  const { attempt, ongoing } = describeAction(context);
  if (error instanceof ProgramNotFoundError) {
    const where = context.command?.trim() ? `at ${context.command.trim()}` : 'on PATH';
    const problem = /not executable/.test(error.message) ? `kind ${where} is not executable` : `kind is not installed (not found ${where})`;
    return new KindError('kindMissing', `${problem} — install it from ${KIND_INSTALL_URL} or set vcluster.kindPath.`, { cause: error });
  }
  if (error instanceof ProcessCancelledError || error instanceof ProcessTimeoutError) {
    const cancelled = error instanceof ProcessCancelledError;
    const how = cancelled ? 'was cancelled' : 'took too long and was stopped';
    const after = context.cleanedUp === true
      ? '; the nodes it had made were removed.'
      : context.action === 'create'
        ? `; it may have left nodes behind — run "kind delete cluster --name ${context.name}" to remove them.`
        : '.';
    return new KindError(cancelled ? 'cancelled' : 'timeout', `${ongoing} ${how}${after}\n$ ${commandLine}`, { cause: error });
  }
  if (error instanceof ProcessFailedError) {
    const output = `${error.result.stderr}\n${error.result.stdout}`;
    const detail = `\n$ ${commandLine} (exit ${error.result.exitCode})\n${lastLines(output, OUTPUT_LINES_IN_ERRORS)}`;
    const exists = /node\(s\) already exist for a cluster with the name "([^"]*)"/.exec(output);
    if (exists) {
      return new KindError('alreadyExists', `A kind cluster named "${exists[1]}" already exists — choose another name, or delete that cluster first.${detail}`, { cause: error });
    }
    const engine = diagnoseContainerEngine(output);
    if (engine) {
      return new KindError('engineUnavailable', `kind needs a running container engine (Docker or Podman): ${engine}. Start or install one, then try again.${detail}`, { cause: error });
    }
    return new KindError('failed', `kind could not ${attempt}: ${summarizeKindOutput(output)}${detail}`, { cause: error });
  }
  if (error instanceof ProcessError) {
    return new KindError('failed', `kind could not ${attempt}: ${error.message}`, { cause: error });
  }
  return error;
}
