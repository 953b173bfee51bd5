import * as vscode from 'vscode';
import type { ClustersTreeNode } from '../tree/clustersTreeProvider';
import { CreateCancelledError } from '../vcluster/lifecycle/vclusterLifecycle';
import type { VClusterServices } from '../vcluster/vclusterServices';
import { defaultNamespace, namespaceProblem, vclusterNameProblem } from '../vcluster/lifecycle/names';
import { normalizeKubernetesVersion } from '../vcluster/lifecycle/provisioners';
import type { Command } from './command';
import { isSettled, type LifecycleUi, pickValuesFile, followUntilSettled, withLifecycleProgress } from './lifecycleUi';
import { redactedMessage } from '../process/redact';

/** Everything create needs; passing it skips the prompts (for other extensions and tests). */
export interface CreateVClusterArgs {
  hostContext: string;
  name: string;
  namespace?: string;
  valuesFiles?: string[];
  chartVersion?: string;
  kubernetesVersion?: string;
}

function isCreateArgs(value: unknown): value is CreateVClusterArgs {
  const args = value as CreateVClusterArgs | undefined;
  return typeof args?.hostContext === 'string' && typeof args.name === 'string';
}

/** `vcluster create` from the palette or a host context's menu. */
export class CreateVClusterCommand implements Command {
  readonly id = 'vcluster.createVCluster';
  constructor(private readonly ui: LifecycleUi, private readonly vclusters: VClusterServices) {}

  async run(arg?: unknown): Promise<boolean> {
    const request = isCreateArgs(arg) ? arg : await this.ask(arg as ClustersTreeNode | undefined);
    if (!request) return false;
    const namespace = request.namespace || defaultNamespace(request.name);
    const full = { hostContext: request.hostContext, name: request.name, namespace, valuesFiles: request.valuesFiles ?? [], ...(request.chartVersion ? { chartVersion: request.chartVersion } : {}), ...(request.kubernetesVersion ? { kubernetesVersion: request.kubernetesVersion } : {}) };
    this.ui.logger.info(`[create] ${full.name} in ${namespace} on ${full.hostContext}`);
    try {
      const provisioner = await withLifecycleProgress(`Creating vCluster ${full.name}`, (progress) => this.vclusters.lifecycle.create(full, progress));
      void followUntilSettled(this.ui, full, (vcluster) => vcluster !== undefined && isSettled(vcluster));
      void vscode.window.showInformationMessage(`vCluster ${full.name} was created in ${namespace} on ${full.hostContext} (with ${provisioner.kind}).`, 'Connect').then((choice) => {
        if (choice === 'Connect') void vscode.commands.executeCommand('vcluster.connectVCluster', { ...full });
      });
      return true;
    } catch (error) {
      if (error instanceof CreateCancelledError) {
        await this.ui.refresh();
        void vscode.window.showWarningMessage(redactedMessage(error));
        return false;
      }
      throw error;
    }
  }

  private async ask(node: ClustersTreeNode | undefined): Promise<CreateVClusterArgs | undefined> {
    const title = 'Create vCluster';
    const hostContext = node?.kind === 'hostContext' ? node.host.context.name : await this.pickHost(title);
    if (!hostContext) return undefined;
    // What the view knows already, for messages as the user types; create checks the host again.
    const occupied = new Map(this.ui.inventory.knownVClusters().filter((vcluster) => vcluster.hostContext === hostContext).map((vcluster) => [vcluster.namespace, vcluster.name]));
    const name = await vscode.window.showInputBox({
      title: `${title} (1/5) on ${hostContext}`,
      prompt: 'Name of the vCluster: lower-case letters, digits and \'-\'',
      placeHolder: 'my-vcluster',
      validateInput: (value) => vclusterNameProblem(value.trim()),
    });
    if (name === undefined) return undefined;
    const trimmedName = name.trim();
    const namespace = await vscode.window.showInputBox({
      title: `${title} (2/5): namespace`,
      prompt: 'Host namespace for the vCluster; created when missing',
      value: defaultNamespace(trimmedName),
      validateInput: (value) => {
        const namespace = value.trim();
        const present = occupied.get(namespace);
        if (present === trimmedName) return `A vCluster named ${trimmedName} already exists in ${namespace}.`;
        if (present) return `Namespace ${namespace} already holds vCluster ${present}; a namespace holds one vCluster.`;
        return namespaceProblem(namespace);
      },
    });
    if (namespace === undefined) return undefined;
    const valuesFiles = await pickValuesFile(`${title} (3/5): values`);
    if (valuesFiles === undefined) return undefined;
    const chartVersion = await vscode.window.showInputBox({
      title: `${title} (4/5): chart version`,
      prompt: 'vcluster chart version; empty for the default (the CLI\'s own version, or the setting vcluster.chart.version)',
      placeHolder: 'default',
      validateInput: (value) => (value.trim() === '' || /^v?\d+\.\d+\.\d+([-+][\w.-]+)?$/.test(value.trim()) ? undefined : 'A chart version looks like 0.36.1.'),
    });
    if (chartVersion === undefined) return undefined;
    const kubernetesVersion = await vscode.window.showInputBox({
      title: `${title} (5/5): Kubernetes version`,
      prompt: 'Kubernetes version of the virtual cluster, e.g. v1.33.2; empty for the chart\'s default',
      placeHolder: 'chart default',
      validateInput: (value) => (value.trim() === '' || normalizeKubernetesVersion(value) ? undefined : 'A Kubernetes version looks like v1.33 or v1.33.2.'),
    });
    if (kubernetesVersion === undefined) return undefined;
    const version = normalizeKubernetesVersion(kubernetesVersion);
    return {
      hostContext, name: trimmedName, namespace: namespace.trim(), valuesFiles,
      ...(chartVersion.trim() ? { chartVersion: chartVersion.trim() } : {}),
      ...(version ? { kubernetesVersion: version } : {}),
    };
  }

  private async pickHost(title: string): Promise<string | undefined> {
    if (this.ui.inventory.snapshot.hosts.length === 0) await this.ui.refresh();
    const hosts = this.ui.inventory.snapshot.hosts;
    if (hosts.length === 0) {
      void vscode.window.showWarningMessage('No kube contexts found: choose a kubeconfig, or create a local kind cluster first.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      [...hosts].sort((a, b) => Number(b.isCurrent) - Number(a.isCurrent)).map((host) => ({
        label: host.context.name,
        description: [host.isCurrent ? 'current' : '', host.discovery.state === 'error' ? `unreachable: ${host.discovery.error.message}` : ''].filter(Boolean).join(' · '),
        detail: host.context.server,
      })),
      { title: `${title}: host cluster`, placeHolder: 'Kube context of the host cluster' },
    );
    return picked?.label;
  }
}
