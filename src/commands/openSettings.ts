import * as vscode from 'vscode';
import type { Command } from './command';

export class OpenSettingsCommand implements Command {
  readonly id = 'vcluster.openSettings';

  run(): Thenable<unknown> {
    return vscode.commands.executeCommand('workbench.action.openSettings', 'vcluster.');
  }
}
