import * as vscode from 'vscode';
import type { Logger } from '../process/log';
import { describeChoice, type WorkspaceChoice } from '../workspace/workspaceChoice';
import type { WorkspaceContext } from '../workspace/workspaceContext';
import { redactedMessage } from '../process/redact';

/**
 * Switches this window's context with progress (connecting a vCluster can take seconds and can be
 * cancelled), and turns a failure into a message with the ways out.
 */
export async function switchWorkspaceContext(workspace: WorkspaceContext, choice: WorkspaceChoice, logger: Logger, showLog: () => void): Promise<boolean> {
  try {
    await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification,
      title: `Using ${describeChoice(choice)} in this workspace`,
      cancellable: choice.kind === 'vcluster',
    }, async (_progress, token) => {
      const controller = new AbortController();
      const listener = token.onCancellationRequested(() => controller.abort());
      try {
        await workspace.use(choice, { signal: controller.signal });
      } finally {
        listener.dispose();
      }
    });
    return true;
  } catch (error) {
    const message = redactedMessage(error);
    logger.error(`[workspace] ${describeChoice(choice)}: ${message}`);
    const pick = await vscode.window.showErrorMessage(`Could not use ${describeChoice(choice)} in this workspace: ${message}`, 'Choose Another Context', 'Show Output Log');
    if (pick === 'Choose Another Context') void vscode.commands.executeCommand('vcluster.selectWorkspaceContext');
    else if (pick === 'Show Output Log') showLog();
    return false;
  }
}
