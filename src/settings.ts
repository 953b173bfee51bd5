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

  /** True when a change event touches any setting that decides what the tree shows. */
  affectsInventory(event: vscode.ConfigurationChangeEvent): boolean {
    return event.affectsConfiguration('vcluster.kubeconfig') || event.affectsConfiguration('vcluster.requestTimeoutSeconds');
  }
}
