import type { Disposable } from 'vscode';

/**
 * Owns disposables from the moment they are created (vscode-pull-request-github's `_register`),
 * so nothing a service starts can outlive the extension.
 */
export abstract class DisposableStore implements Disposable {
  private readonly disposables: Array<{ dispose(): unknown }> = [];
  private disposed = false;

  protected register<T extends { dispose(): unknown }>(disposable: T): T {
    if (this.disposed) {
      disposable.dispose();
    } else {
      this.disposables.push(disposable);
    }
    return disposable;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // Last created, first disposed: later services may depend on earlier ones.
    for (const disposable of this.disposables.splice(0).reverse()) {
      try {
        disposable.dispose();
      } catch {
        // One failing disposal must not leave the rest running.
      }
    }
  }
}
