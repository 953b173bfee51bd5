import { access } from 'node:fs/promises';
import * as vscode from 'vscode';
import { editUserKubeconfig } from '../kube/userKubeconfigWrite';
import type { Logger } from '../process/log';
import type { CoreBundle } from '../coreBundle';
import type { KubeconfigDocument } from '../kube/kubeconfig';
import { contextOfChoice, type WorkspaceChoice } from './workspaceChoice';

/**
 * Two things users can ask for, both off by default because they reach beyond this window:
 * writing the context into their own kubeconfig the way `vcluster connect` does, and pointing
 * Microsoft's Kubernetes extension at this workspace's kubeconfig.
 */

const KUBERNETES_SECTION = 'vs-kubernetes';
const KUBERNETES_KUBECONFIG_KEY = 'vs-kubernetes.kubeconfig';

/** vcluster.workspace.writeToUserKubeconfig: the first existing user file gets the context and becomes current there. */
export async function writeToUserKubeconfig(options: {
  choice: WorkspaceChoice;
  userFiles: readonly string[];
  workspaceDocument: KubeconfigDocument;
  core: CoreBundle;
  logger: Logger;
}): Promise<void> {
  const context = contextOfChoice(options.choice);
  // kubectl writes the first file of KUBECONFIG that exists, else the first one.
  let path = options.userFiles[0];
  for (const candidate of options.userFiles) {
    if (await access(candidate).then(() => true, () => false)) {
      path = candidate;
      break;
    }
  }
  if (!path) return;
  // A vCluster's context exists only in the extension's file: copy its three entries over, as the CLI adds its own.
  const entries = options.choice.kind === 'vcluster' ? pickEntries(options.workspaceDocument, context) : undefined;
  const target = path;
  const changed = await editUserKubeconfig(target, (text) => options.core.editKubeconfigText(target, text, context, entries));
  if (changed) options.logger.info(`[workspace] ${target}: current-context is now ${context} (vcluster.workspace.writeToUserKubeconfig is on)`);
}

function pickEntries(document: KubeconfigDocument, name: string) {
  const contexts = document.contexts.filter((entry) => entry.name === name);
  const context = contexts[0]?.context;
  return {
    clusters: document.clusters.filter((entry) => entry.name === context?.cluster),
    users: document.users.filter((entry) => entry.name === context?.user),
    contexts,
  };
}

/** vcluster.workspace.configureKubernetesExtension: its kubeconfig setting, workspace scope, other keys kept. */
export async function pointKubernetesExtension(path: string | undefined): Promise<void> {
  const configuration = vscode.workspace.getConfiguration();
  const current = configuration.inspect<Record<string, unknown>>(KUBERNETES_SECTION)?.workspaceValue ?? {};
  if (path === undefined) {
    if (!(KUBERNETES_KUBECONFIG_KEY in current)) return;
    const { [KUBERNETES_KUBECONFIG_KEY]: _removed, ...rest } = current;
    await configuration.update(KUBERNETES_SECTION, Object.keys(rest).length > 0 ? rest : undefined, vscode.ConfigurationTarget.Workspace);
    return;
  }
  if (current[KUBERNETES_KUBECONFIG_KEY] === path) return;
  await configuration.update(KUBERNETES_SECTION, { ...current, [KUBERNETES_KUBECONFIG_KEY]: path }, vscode.ConfigurationTarget.Workspace);
}
