import * as vscode from 'vscode';
import { Container } from './container';

// Measured from the moment the bundle is evaluated, so the figure includes module loading.
const bundleEvaluated = performance.now();

/**
 * What the extension exposes to other extensions and to its in-host tests. Kept tiny and
 * stable: tests read state through it instead of reaching into the tree.
 */
export interface VClusterExtensionApi {
  readonly activationMs: number;
}

let container: Container | undefined;

export function activate(context: vscode.ExtensionContext): VClusterExtensionApi {
  container = new Container(context);
  context.subscriptions.push(container);
  const activationMs = performance.now() - bundleEvaluated;
  container.logger.info(`[activation] vCluster ${context.extension.packageJSON.version as string} activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs };
}

export function deactivate(): void {
  container?.dispose();
  container = undefined;
}
