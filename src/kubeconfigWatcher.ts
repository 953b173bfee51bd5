import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { DisposableStore } from './disposables';

const DEBOUNCE_MS = 300;

/**
 * Refreshes when a kubeconfig file changes on disk (`kind create cluster`, `vcluster connect`,
 * `kubectl config use-context` in a terminal), so the tree never shows a stale picture.
 * Watches the files the extension currently reads; call update() when that list changes.
 */
export class KubeconfigWatcher extends DisposableStore {
  private watchers: vscode.Disposable[] = [];
  private watched = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly onChange: () => void) {
    super();
    this.register({ dispose: () => this.clear() });
  }

  update(paths: readonly string[]): void {
    const key = paths.join('\n');
    if (key === this.watched) return;
    this.clear();
    this.watched = key;
    for (const path of paths) {
      // A pattern relative to the file's folder also fires when the file is created or replaced
      // by a rename, which is how kubectl and the vcluster CLI write kubeconfigs.
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(path)), basename(path)));
      watcher.onDidChange(() => this.schedule());
      watcher.onDidCreate(() => this.schedule());
      watcher.onDidDelete(() => this.schedule());
      this.watchers.push(watcher);
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onChange(), DEBOUNCE_MS);
  }

  private clear(): void {
    clearTimeout(this.timer);
    for (const watcher of this.watchers.splice(0)) watcher.dispose();
    this.watched = '';
  }
}
