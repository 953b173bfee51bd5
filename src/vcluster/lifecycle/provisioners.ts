import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ProgramNotFoundError, runProcess, type RunResult } from '../../process/run';
import { type VClusterRef } from '../identity';

/**
 * Installing, upgrading and removing a vCluster's Helm release, through the vcluster CLI when it
 * is installed (so the result is exactly what `vcluster create` makes) or else through helm and
 * the vcluster chart, the same release the CLI would make. Argument arrays only, never a shell.
 */

export const DEFAULT_CHART_REPO = 'https://charts.loft.sh';
export const CHART_NAME = 'vcluster';

export interface ChartSource {
  /** A folder holding the chart (the CLI's --local-chart-dir); wins over repo and version. */
  localDir?: string;
  repo?: string;
  /** Empty: the CLI uses its own version; helm takes the newest in the repo. */
  version?: string;
}

export interface ProvisionRequest extends VClusterRef {
  /** Kubeconfig files, merged as kubectl merges them; the command gets them as KUBECONFIG. */
  kubeconfigPaths: readonly string[];
  valuesFiles: readonly string[];
  chart: ChartSource;
  /** Upgrade an existing release instead of installing a new one. */
  upgrade: boolean;
  /** The virtual cluster's Kubernetes version (chart value controlPlane.distro.k8s.version). */
  kubernetesVersion?: string;
}

/** The chart value that picks the virtual control plane's Kubernetes version (chart 0.36). */
export const KUBERNETES_VERSION_VALUE = 'controlPlane.distro.k8s.version';

/** "1.33" or "v1.33.2" → "v1.33" / "v1.33.2"; undefined when it is not a version. */
export function normalizeKubernetesVersion(value: string): string | undefined {
  const match = /^v?(\d+\.\d+(\.\d+)?)$/.exec(value.trim());
  return match ? `v${match[1]}` : undefined;
}

/** Values files first, then --set, as helm applies them: a chosen version wins over a file. */
function valueArgs(request: ProvisionRequest): string[] {
  const args: string[] = [];
  for (const file of request.valuesFiles) args.push('--values', file);
  if (request.kubernetesVersion) args.push('--set', `${KUBERNETES_VERSION_VALUE}=${request.kubernetesVersion}`);
  return args;
}

export type ProvisionerKind = 'vcluster' | 'helm';

export interface Provisioner {
  kind: ProvisionerKind;
  /** The command to run (a configured path or the bare name on PATH). */
  command: string;
  /** helm's path, given to the vcluster CLI on PATH (it runs helm itself). */
  helmCommand?: string;
}

export class NoProvisionerError extends Error {
  constructor() {
    super('Neither the vcluster CLI nor helm was found. Install the vcluster CLI (https://www.vcluster.com/docs/get-started) or helm (https://helm.sh/docs/intro/install/), or set vcluster.vclusterPath or vcluster.helmPath.');
    this.name = 'NoProvisionerError';
  }
}

/** `vcluster create` as a user would type it, with --connect=false: connecting is the extension's job. */
export function vclusterCreateArgs(request: ProvisionRequest): string[] {
  const args = ['create', request.name, '--namespace', request.namespace, '--context', request.hostContext, '--connect=false'];
  if (request.upgrade) args.push('--upgrade');
  if (request.chart.localDir) args.push('--local-chart-dir', request.chart.localDir);
  else {
    if (request.chart.repo) args.push('--chart-repo', request.chart.repo);
    if (request.chart.version) args.push('--chart-version', request.chart.version);
  }
  return [...args, ...valueArgs(request)];
}

/** The release the CLI would install, by helm directly. */
export function helmUpgradeArgs(request: ProvisionRequest): string[] {
  const chart = request.chart.localDir ?? CHART_NAME;
  const args = ['upgrade', request.name, chart, '--install', '--namespace', request.namespace, '--kube-context', request.hostContext];
  // An upgrade keeps the values given before and lays the new ones over them (helm >= 3.14).
  args.push(request.upgrade ? '--reset-then-reuse-values' : '--create-namespace');
  if (!request.chart.localDir) {
    args.push('--repo', request.chart.repo || DEFAULT_CHART_REPO);
    if (request.chart.version) args.push('--version', request.chart.version);
  }
  return [...args, ...valueArgs(request)];
}

export function helmUninstallArgs(ref: VClusterRef): string[] {
  return ['uninstall', ref.name, '--namespace', ref.namespace, '--kube-context', ref.hostContext, '--wait', '--timeout', '5m'];
}

export function helmStatusArgs(ref: VClusterRef): string[] {
  return ['status', ref.name, '--namespace', ref.namespace, '--kube-context', ref.hostContext, '--output', 'json'];
}

export interface RunContext {
  kubeconfigPaths: readonly string[];
  signal?: AbortSignal;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  timeoutMs: number;
  /** The environment to start from (tests pass their own); process.env by default. */
  baseEnv?: NodeJS.ProcessEnv;
}

/** KUBECONFIG for the merged files, and helm on PATH for the vcluster CLI when it was configured. */
export function provisionEnv(provisioner: Provisioner, context: RunContext): NodeJS.ProcessEnv {
  const base = context.baseEnv ?? process.env;
  const env: NodeJS.ProcessEnv = { ...base, KUBECONFIG: context.kubeconfigPaths.join(delimiter) };
  const helm = provisioner.helmCommand;
  if (provisioner.kind === 'vcluster' && helm && helm.includes('/')) {
    env.PATH = `${helm.slice(0, helm.lastIndexOf('/'))}${delimiter}${base.PATH ?? ''}`;
  }
  return env;
}

export async function runProvisioner(provisioner: Provisioner, args: readonly string[], context: RunContext): Promise<RunResult> {
  // The CLI refuses to run from a folder holding anything named like its chart ("vcluster"),
  // which a workspace may well do: it always runs from an empty folder of its own.
  const cwd = await mkdtemp(join(tmpdir(), 'vcluster-vscode-run-'));
  try {
    return await runIn(cwd, provisioner, args, context);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

function runIn(cwd: string, provisioner: Provisioner, args: readonly string[], context: RunContext): Promise<RunResult> {
  return runProcess(provisioner.command, args, {
    cwd,
    env: provisionEnv(provisioner, context),
    timeoutMs: context.timeoutMs,
    signal: context.signal,
    onLine: context.onLine,
  }).catch((error: unknown) => {
    if (error instanceof ProgramNotFoundError) {
      const setting = provisioner.kind === 'vcluster' ? 'vcluster.vclusterPath' : 'vcluster.helmPath';
      throw new ProgramNotFoundError(`${error.message}; set ${setting} or install it`, error.command, error.args);
    }
    throw error;
  });
}
