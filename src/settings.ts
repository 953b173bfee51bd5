import * as vscode from 'vscode';
import type { ToolName } from './process/tools';

/** Typed reads of the `vcluster.*` settings, so no other file spells a setting's key. */
export class Settings {
  private get config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('vcluster');
  }

  kubeconfigFiles(): string[] {
    const value = this.config.get<unknown>('kubeconfig');
    return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
  }

  async setKubeconfigFiles(paths: readonly string[]): Promise<void> {
    await this.config.update('kubeconfig', [...paths], vscode.ConfigurationTarget.Global);
  }

  requestTimeoutMs(): number {
    const seconds = this.config.get<number>('requestTimeoutSeconds', 10);
    return Math.min(Math.max(Number.isFinite(seconds) ? seconds : 10, 1), 300) * 1000;
  }

  toolPath(tool: ToolName): string | undefined {
    const key = `${tool}Path`;
    const value = this.config.get<string>(key, '').trim();
    return value === '' ? undefined : value;
  }

  /** Which tool installs vCluster releases: the vcluster CLI when found ("auto"), or one of them always. */
  provisionerPreference(): 'auto' | 'vcluster' | 'helm' {
    const value = this.config.get<string>('provisioner', 'auto');
    return value === 'vcluster' || value === 'helm' ? value : 'auto';
  }

  /** Where the vcluster chart comes from: a local folder, or a repository and version. */
  chart(): { localDir?: string; repo?: string; version?: string } {
    const read = (key: string) => this.config.get<string>(key, '').trim() || undefined;
    const localDir = read('chart.localDir');
    const repo = read('chart.repository');
    const version = read('chart.version');
    return { ...(localDir ? { localDir } : {}), ...(repo ? { repo } : {}), ...(version ? { version } : {}) };
  }

  /** Server URLs for `connect`, keyed "namespace/name" or "hostContext/namespace/name". */
  connectServers(): Record<string, string> {
    const value = this.config.get<unknown>('connectServers');
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''));
  }

  /**
   * vcluster.workspace.context: a team's committed context for this workspace (raw; parsed by its
   * owner). Only in a trusted workspace: applying it connects to a cluster on folder open, with
   * no click, so a repository the user has not trusted must not choose it (VS Code also drops
   * workspace values of restricted settings; this holds for any other source too).
   */
  workspaceContext(): unknown {
    if (!vscode.workspace.isTrusted) return undefined;
    return this.config.get<unknown>('workspace.context');
  }

  /** Whether VS Code runs this workspace in restricted mode (its restricted settings ignored). */
  workspaceUntrusted(): boolean {
    return !vscode.workspace.isTrusted;
  }

  /** Also write the workspace's context into the user's kubeconfig, as `vcluster connect` does. */
  writeToUserKubeconfig(): boolean {
    return this.config.get<boolean>('workspace.writeToUserKubeconfig', false) === true;
  }

  /** Point Microsoft's Kubernetes extension at the workspace's kubeconfig. */
  configureKubernetesExtension(): boolean {
    return this.config.get<boolean>('workspace.configureKubernetesExtension', false) === true;
  }

  /** True when a change event touches any setting that decides what the tree shows. */
  affectsInventory(event: vscode.ConfigurationChangeEvent): boolean {
    return event.affectsConfiguration('vcluster.kubeconfig') || event.affectsConfiguration('vcluster.requestTimeoutSeconds');
  }
}
