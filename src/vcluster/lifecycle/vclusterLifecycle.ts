import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { KubeClient } from '../../kube/client';
import { describeKubeError } from '../../kube/errors';
import type { KubeconfigDocument } from '../../kube/kubeconfig';
import type { Logger } from '../../process/log';
import { ProcessCancelledError, ProcessFailedError } from '../../process/run';
import { probeTool } from '../../process/tools';
import type { CoreBundle } from '../../coreBundle';
import { vclusterContextName, type ConnectionsKubeconfig } from '../connect/connectionsKubeconfig';
import type { VClusterConnector } from '../connect/connector';
import { namespaceProblem, vclusterNameProblem } from './names';
import type { OperationTracker } from './operationTracker';
import type { PausableVCluster, PauseOutcome } from './pauseResume';
import { helmStatusArgs, normalizeKubernetesVersion, helmUninstallArgs, helmUpgradeArgs, NoProvisionerError, runProvisioner, vclusterCreateArgs, type ChartSource, type Provisioner, type ProvisionRequest } from './provisioners';
import { CREATED_NAMESPACE_ANNOTATION, VCLUSTER_SELECTOR, type VClusterRef } from '../identity';

/**
 * Every change the extension makes to a vCluster, in one place and free of VS Code: the commands
 * ask, show progress and report; this decides, runs and cleans up. One operation per vCluster
 * at a time (OperationTracker).
 */

export interface LifecycleOptions {
  loadCoreBundle: () => Promise<CoreBundle>;
  /** A client for a host context of the loaded kubeconfig (HostClients). */
  hostClient: (hostContext: string) => Promise<KubeClient>;
  /** Shared with the connector, so connect never overlaps a create, pause or delete. */
  tracker: OperationTracker;
  /** A deleted vCluster's connection is forgotten with it. */
  connector: Pick<VClusterConnector, 'forget'>;
  /** The merged kubeconfig now, and the files it came from. */
  kubeconfig: () => { document: KubeconfigDocument; paths: readonly string[] } | undefined;
  /** Configured tool paths and which provisioner to prefer. */
  tools: () => { vcluster?: string; helm?: string; preference: 'auto' | ProvisionerKindPreference };
  chart: () => ChartSource;
  connections: ConnectionsKubeconfig;
  logger: Logger;
  requestTimeoutMs: () => number;
  /** How long helm or the CLI may take for one install, upgrade or uninstall. */
  provisionTimeoutMs?: number;
}

type ProvisionerKindPreference = 'vcluster' | 'helm';

export interface CreateRequest extends VClusterRef {
  valuesFiles: readonly string[];
  chartVersion?: string;
  /** e.g. v1.33.2; empty: the chart's default. */
  kubernetesVersion?: string;
}

export interface Progress {
  signal?: AbortSignal;
  /** Each line the CLI or helm prints; the extension sends them to its output channel. */
  onLine?: (line: string) => void;
  report?: (message: string) => void;
}

/** A create was cancelled; the message says what was cleaned up or what remains. */
export class CreateCancelledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CreateCancelledError';
  }
}

/** The CLI or helm was killed by a signal mid-create (not by us): the message says what it left. */
export class CreateInterruptedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CreateInterruptedError';
  }
}

export class ValuesFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValuesFileError';
  }
}

/** Create was refused before anything ran: a bad name or version, a taken name, an occupied namespace. */
export class CreateRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CreateRefusedError';
  }
}

export interface DeletionPlan {
  ref: VClusterRef;
  release: string;
  volumeClaims: string[];
  /** Set when the namespace was created for the vCluster (the CLI's annotation) and goes too. */
  namespace?: string;
  /** The extension's kube context for it, when connected. */
  context?: string;
}

interface ObjectList { items: Array<{ metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> } }> }
interface NamespaceObject { metadata?: { annotations?: Record<string, string>; deletionTimestamp?: string } }


export class VClusterLifecycle {
  private readonly tracker: OperationTracker;
  private readonly hostClient: (hostContext: string) => Promise<KubeClient>;
  constructor(private readonly options: LifecycleOptions) {
    this.tracker = options.tracker;
    this.hostClient = options.hostClient;
  }

  /** The vcluster CLI when it answers (or is preferred), else helm; a clear error when neither does. */
  async provisioner(): Promise<Provisioner> {
    const tools = this.options.tools();
    const order: ProvisionerKindPreference[] = tools.preference === 'helm' ? ['helm', 'vcluster'] : ['vcluster', 'helm'];
    const [vcluster, helm] = await Promise.all([probeTool('vcluster', tools.vcluster), probeTool('helm', tools.helm)]);
    for (const kind of order) {
      const status = kind === 'vcluster' ? vcluster : helm;
      if (status.version) {
        this.options.logger.info(`[provision] using ${kind} ${status.version} (${status.command})`);
        return { kind, command: status.command, ...(helm.version ? { helmCommand: helm.command } : {}) };
      }
    }
    this.options.logger.warn(`[provision] vcluster: ${vcluster.problem}; helm: ${helm.problem}`);
    throw new NoProvisionerError();
  }

  /** Refuses a name already used in that namespace, or a namespace that already holds a vCluster. */
  async checkCreate(request: VClusterRef & { kubernetesVersion?: string }, signal: AbortSignal): Promise<void> {
    const badVersion = request.kubernetesVersion && !normalizeKubernetesVersion(request.kubernetesVersion)
      ? `"${request.kubernetesVersion}" is not a Kubernetes version (like v1.33 or v1.33.2).` : undefined;
    const problem = vclusterNameProblem(request.name) ?? namespaceProblem(request.namespace) ?? badVersion;
    if (problem) throw new CreateRefusedError(problem);
    const client = await this.hostClient(request.hostContext);
    const namespacePath = `/namespaces/${encodeURIComponent(request.namespace)}`;
    const [statefulSets, deployments] = await Promise.all([
      client.getJson<ObjectList>(`/apis/apps/v1${namespacePath}/statefulsets`, { labelSelector: VCLUSTER_SELECTOR }, signal),
      client.getJson<ObjectList>(`/apis/apps/v1${namespacePath}/deployments`, { labelSelector: VCLUSTER_SELECTOR }, signal),
    ]);
    const releases = [...statefulSets.items, ...deployments.items].map((item) => item.metadata?.labels?.release ?? item.metadata?.name ?? '?');
    if (releases.includes(request.name)) {
      throw new CreateRefusedError(`A vCluster named ${request.name} already exists in namespace ${request.namespace} on ${request.hostContext}. Choose another name, or upgrade it instead.`);
    }
    if (releases.length > 0) {
      throw new CreateRefusedError(`Namespace ${request.namespace} already holds vCluster ${releases[0]}; a namespace holds one vCluster. Choose another namespace.`);
    }
  }

  /** A values file that is missing or not YAML stops the command before helm sees it. */
  async checkValuesFiles(files: readonly string[]): Promise<void> {
    const { parseYamlDocument } = await this.options.loadCoreBundle();
    for (const file of files) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new ValuesFileError(`The values file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
      }
      const document = parseYamlDocument(text, { prettyErrors: false });
      const first = document.errors[0];
      if (first) {
        const line = text.slice(0, first.pos[0]).split('\n').length;
        throw new ValuesFileError(`The values file ${file} is not valid YAML (line ${line}: ${first.code}); nothing was installed.`);
      }
      const contents = document.toJS() as unknown;
      if (contents !== null && contents !== undefined && (typeof contents !== 'object' || Array.isArray(contents))) {
        throw new ValuesFileError(`The values file ${file} must hold a YAML mapping (key: value); nothing was installed.`);
      }
    }
  }

  async create(request: CreateRequest, progress: Progress = {}): Promise<Provisioner> {
    return this.tracker.run(request, 'create', async () => {
      const signal = progress.signal ?? new AbortController().signal;
      progress.report?.('checking the host cluster…');
      await this.checkValuesFiles(request.valuesFiles);
      await this.checkCreate(request, AbortSignal.any([signal, AbortSignal.timeout(this.options.requestTimeoutMs())]));
      const client = await this.hostClient(request.hostContext);
      const namespaceExisted = await this.namespaceExists(client, request.namespace, signal);
      const provisioner = await this.provisioner();
      progress.report?.(`installing with ${provisioner.kind}…`);
      try {
        await this.runRelease(provisioner, { ...request, upgrade: false }, progress);
      } catch (error) {
        if (error instanceof ProcessCancelledError) throw await this.cleanUpCancelledCreate(request, provisioner, client, namespaceExisted, progress);
        if (error instanceof ProcessFailedError && error.result.signal) throw await this.describeInterruptedCreate(request, provisioner, client, namespaceExisted, error);
        throw error;
      }
      // Mark a namespace we made, as the CLI does, so delete knows it may go (helm made it here).
      if (!namespaceExisted && provisioner.kind === 'helm') {
        await client.request('PATCH', `/api/v1/namespaces/${encodeURIComponent(request.namespace)}`, {
          body: { metadata: { annotations: { [CREATED_NAMESPACE_ANNOTATION]: 'true' } } },
        }, AbortSignal.timeout(this.options.requestTimeoutMs()));
      }
      return provisioner;
    });
  }

  async upgrade(ref: VClusterRef, change: { valuesFiles: readonly string[]; chartVersion?: string }, progress: Progress = {}): Promise<Provisioner> {
    return this.tracker.run(ref, 'upgrade', async () => {
      await this.checkValuesFiles(change.valuesFiles);
      const provisioner = await this.provisioner();
      progress.report?.(`upgrading with ${provisioner.kind}…`);
      await this.runRelease(provisioner, { ...ref, ...change, upgrade: true }, progress);
      return provisioner;
    });
  }

  private async runRelease(provisioner: Provisioner, request: CreateRequest & { upgrade: boolean }, progress: Progress): Promise<void> {
    const chart = { ...this.options.chart(), ...(request.chartVersion ? { version: request.chartVersion } : {}) };
    const full: ProvisionRequest = { ...request, chart, kubeconfigPaths: this.kubeconfigPaths() };
    const args = provisioner.kind === 'vcluster' ? vclusterCreateArgs(full) : helmUpgradeArgs(full);
    await this.run(provisioner, args, progress);
  }

  private run(provisioner: Provisioner, args: readonly string[], progress: Progress) {
    this.options.logger.info(`[provision] ${provisioner.command} ${args.join(' ')}`);
    return runProvisioner(provisioner, args, {
      kubeconfigPaths: this.kubeconfigPaths(),
      signal: progress.signal,
      timeoutMs: this.options.provisionTimeoutMs ?? 10 * 60_000,
      onLine: (line) => {
        this.options.logger.info(`  ${line}`);
        progress.onLine?.(line);
      },
    });
  }

  private kubeconfigPaths(): readonly string[] {
    return this.options.kubeconfig()?.paths ?? [];
  }

  private async namespaceExists(client: KubeClient, namespace: string, signal: AbortSignal): Promise<boolean> {
    try {
      await client.getJson(`/api/v1/namespaces/${encodeURIComponent(namespace)}`, {}, signal);
      return true;
    } catch (error) {
      if (describeKubeError(error).kind === 'notFound') return false;
      throw error;
    }
  }

  /**
   * A create stopped half-way leaves a release in pending-install, and perhaps a namespace.
   * Remove both (helm can do this without the CLI); when that fails, say exactly what is left.
   */
  private async cleanUpCancelledCreate(request: CreateRequest, provisioner: Provisioner, client: KubeClient, namespaceExisted: boolean, progress: Progress): Promise<CreateCancelledError> {
    const logger = this.options.logger;
    logger.warn(`[create] ${request.name}: cancelled; removing what was installed`);
    progress.report?.('cancelled: removing what was installed…');
    const helm: Provisioner | undefined = provisioner.kind === 'helm' ? provisioner : provisioner.helmCommand ? { kind: 'helm', command: provisioner.helmCommand } : undefined;
    const left: string[] = [];
    const quiet: Progress = {};
    let releaseExists = true;
    if (helm) {
      releaseExists = await this.run(helm, helmStatusArgs(request), quiet).then(() => true, () => false);
      if (releaseExists) {
        await this.run(helm, helmUninstallArgs(request), quiet).then(() => { releaseExists = false; }, (error: Error) => logger.error(`[create] helm uninstall failed: ${error.message}`));
      }
    } else {
      await this.run(provisioner, ['delete', request.name, '--namespace', request.namespace, '--context', request.hostContext], quiet)
        .then(() => { releaseExists = false; }, (error: Error) => logger.error(`[create] vcluster delete failed: ${error.message}`));
    }
    if (releaseExists) left.push(`Helm release ${request.name} in namespace ${request.namespace}`);
    if (!namespaceExisted) {
      const signal = AbortSignal.timeout(this.options.requestTimeoutMs());
      await client.request('DELETE', `/api/v1/namespaces/${encodeURIComponent(request.namespace)}`, {}, signal).catch((error: unknown) => {
        if (describeKubeError(error).kind !== 'notFound') left.push(`namespace ${request.namespace}`);
      });
    }
    const message = left.length === 0
      ? `Creating vCluster ${request.name} was cancelled; nothing of it was left on ${request.hostContext}.`
      : `Creating vCluster ${request.name} was cancelled. Still on ${request.hostContext}: ${left.join(' and ')}; delete ${left.length > 1 ? 'them' : 'it'} with "vCluster: Delete" or helm uninstall.`;
    logger.warn(`[create] ${message}`);
    return new CreateCancelledError(message);
  }

  /**
   * The CLI or helm was killed from outside (the OOM killer, a user's kill) in the middle of a
   * create: nothing is removed — the user did not ask for that — but what is left is said, so the
   * next step (delete, or create again) is clear.
   */
  private async describeInterruptedCreate(request: CreateRequest, provisioner: Provisioner, client: KubeClient, namespaceExisted: boolean, error: ProcessFailedError): Promise<CreateInterruptedError> {
    const helm: Provisioner | undefined = provisioner.kind === 'helm' ? provisioner : provisioner.helmCommand ? { kind: 'helm', command: provisioner.helmCommand } : undefined;
    const left: string[] = [];
    if (helm && await this.run(helm, helmStatusArgs(request), {}).then(() => true, () => false)) left.push(`Helm release ${request.name}`);
    const signal = AbortSignal.timeout(this.options.requestTimeoutMs());
    const namespacePath = `/namespaces/${encodeURIComponent(request.namespace)}`;
    for (const kind of ['statefulsets', 'deployments'] as const) {
      const found = await client.getJson(`/apis/apps/v1${namespacePath}/${kind}/${encodeURIComponent(request.name)}`, {}, signal).then(() => true, () => false);
      if (found) left.push(`${kind === 'statefulsets' ? 'StatefulSet' : 'Deployment'} ${request.name}`);
    }
    if (!namespaceExisted && await client.getJson(`/api/v1${namespacePath}`, {}, signal).then(() => true, () => false)) left.push(`namespace ${request.namespace} (created for it)`);
    const what = `${basename(error.command)} was killed by ${error.result.signal}`;
    const message = left.length === 0
      ? `${what} while creating vCluster ${request.name}; nothing of it was left on ${request.hostContext}.`
      : `${what} while creating vCluster ${request.name}. Left on ${request.hostContext} in namespace ${request.namespace}: ${left.join(', ')}; "vCluster: Delete" (or helm uninstall) removes ${left.length > 1 ? 'them' : 'it'}, or create it again.`;
    this.options.logger.error(`[create] ${message}`);
    return new CreateInterruptedError(message);
  }

  /** What delete would remove, for the confirmation. */
  async planDeletion(ref: VClusterRef, signal: AbortSignal): Promise<DeletionPlan> {
    const client = await this.hostClient(ref.hostContext);
    const namespacePath = `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}`;
    const [claims, namespace] = await Promise.all([
      client.getJson<ObjectList>(`${namespacePath}/persistentvolumeclaims`, {}, signal),
      client.getJson<NamespaceObject>(namespacePath, {}, signal).catch(() => undefined),
    ]);
    // The claims the CLI deletes: the syncer's data and, for an etcd backing store, etcd's.
    const claimNames = new Set([`data-${ref.name}-0`, `data-${ref.name}-etcd-0`]);
    const contextName = vclusterContextName(ref);
    const connected = (await this.options.connections.contextNames()).includes(contextName);
    return {
      ref,
      release: ref.name,
      volumeClaims: claims.items.map((claim) => claim.metadata?.name ?? '').filter((name) => claimNames.has(name)),
      ...(namespace?.metadata?.annotations?.[CREATED_NAMESPACE_ANNOTATION] === 'true' ? { namespace: ref.namespace } : {}),
      ...(connected ? { context: contextName } : {}),
    };
  }

  /**
   * The CLI's delete (pkg/cli/delete_helm.go): the release, the data claims, the namespace it
   * created, the context. helm does it when installed, because `vcluster delete` also rewrites
   * ~/.kube/config to drop its own context, and the user's kubeconfig is not ours to touch.
   */
  async delete(plan: DeletionPlan, progress: Progress = {}): Promise<void> {
    const { ref } = plan;
    await this.tracker.run(ref, 'delete', async () => {
      const provisioner = await this.provisioner();
      const helm: Provisioner | undefined = provisioner.kind === 'helm' ? provisioner : provisioner.helmCommand ? { kind: 'helm', command: provisioner.helmCommand } : undefined;
      const client = await this.hostClient(ref.hostContext);
      const timeout = () => AbortSignal.timeout(this.options.requestTimeoutMs());
      const ignoreMissing = (error: unknown) => {
        if (describeKubeError(error).kind !== 'notFound') throw error;
      };
      progress.report?.(`uninstalling release ${plan.release}…`);
      if (!helm) {
        await this.run(provisioner, ['delete', ref.name, '--namespace', ref.namespace, '--context', ref.hostContext], progress);
      } else {
        await this.run(helm, helmUninstallArgs(ref), progress);
        // Claims go with the namespace when it goes; otherwise one by one, as the CLI does.
        if (!plan.namespace) {
          for (const claim of plan.volumeClaims) {
            progress.report?.(`deleting volume claim ${claim}…`);
            await client.request('DELETE', `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/persistentvolumeclaims/${encodeURIComponent(claim)}`, {}, timeout()).catch(ignoreMissing);
          }
        } else {
          progress.report?.(`deleting namespace ${plan.namespace}…`);
          await client.request('DELETE', `/api/v1/namespaces/${encodeURIComponent(plan.namespace)}`, {}, timeout()).catch(ignoreMissing);
        }
      }
      await this.options.connector.forget(ref);
    });
  }

  async pause(vcluster: PausableVCluster): Promise<PauseOutcome> {
    return this.tracker.run(vcluster, 'pause', async () => {
      const { pauseVCluster } = await this.options.loadCoreBundle();
      return pauseVCluster(await this.hostClient(vcluster.hostContext), vcluster, AbortSignal.timeout(this.options.requestTimeoutMs() * 3));
    });
  }

  async resume(vcluster: PausableVCluster): Promise<PauseOutcome> {
    return this.tracker.run(vcluster, 'resume', async () => {
      const { resumeVCluster } = await this.options.loadCoreBundle();
      return resumeVCluster(await this.hostClient(vcluster.hostContext), vcluster, AbortSignal.timeout(this.options.requestTimeoutMs() * 3));
    });
  }
}
