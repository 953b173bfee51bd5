import * as vscode from 'vscode';
import { Container } from './container';

// esbuild's banner records when the bundle started evaluating (absent when run unbundled).
declare const __bundleStartMs: number | undefined;
const bundleStart = typeof __bundleStartMs === 'number' ? __bundleStartMs : performance.now();
const modulesEvaluated = performance.now();

/**
 * What the extension exposes to other extensions and to its in-host tests. Kept tiny and
 * stable: tests read state through it instead of reaching into the tree.
 */
export interface VClusterExtensionApi {
  readonly activationMs: number;
}

let container: Container | undefined;

export function activate(context: vscode.ExtensionContext): VClusterExtensionApi {
  const activateStart = performance.now();
  container = new Container(context);
  context.subscriptions.push(container);
  const end = performance.now();
  const activationMs = end - bundleStart;
  container.logger.info(`[activation] vCluster ${context.extension.packageJSON.version as string} activated in ${activationMs.toFixed(1)} ms `
    + `(modules ${(modulesEvaluated - bundleStart).toFixed(1)} ms, waiting for VS Code ${(activateStart - modulesEvaluated).toFixed(1)} ms, activate() ${(end - activateStart).toFixed(1)} ms)`);
  return { activationMs };
}

export function deactivate(): void {
  container?.dispose();
  container = undefined;
}
