import * as vscode from 'vscode';
import type { Logger } from '../process/log';
import { probeTool, type ToolName, type ToolStatus } from '../process/tools';
import type { Settings } from '../settings';
import type { Command } from './command';

const TOOLS: readonly ToolName[] = ['vcluster', 'helm', 'kubectl', 'kind'];

export function summarizeTools(statuses: readonly ToolStatus[]): string {
  return statuses.map((status) => `${status.name} ${status.version ?? `(${status.problem})`}`).join(' · ');
}

/** Reports which of the CLIs the extension works with are installed, and their versions. */
export class CheckToolsCommand implements Command {
  readonly id = 'vcluster.checkTools';
  constructor(
    private readonly settings: Settings,
    private readonly logger: Logger,
    private readonly showLog: () => void,
  ) {}

  async run(): Promise<ToolStatus[]> {
    const statuses = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'vCluster: checking installed tools…' },
      () => Promise.all(TOOLS.map((tool) => probeTool(tool, this.settings.toolPath(tool)))),
    );
    for (const status of statuses) {
      if (status.version) this.logger.info(`[tools] ${status.name}: ${status.version} (${status.command})`);
      else this.logger.warn(`[tools] ${status.name}: ${status.problem}. ${status.installHint}`);
    }
    const missing = statuses.filter((status) => !status.version);
    const summary = summarizeTools(statuses);
    const actions = missing.length > 0 ? ['Show Output Log', 'Open Settings'] : [];
    const show = missing.length > 0 ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    // Not awaited: the command resolves with the statuses while the message stays up.
    void show(`Tools: ${summary}`, ...actions).then((choice) => {
      if (choice === 'Show Output Log') this.showLog();
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'vcluster.');
    });
    return statuses;
  }
}
