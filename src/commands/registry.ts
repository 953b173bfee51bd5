import * as vscode from 'vscode';
import type { Logger } from '../process/log';
import type { Command } from './command';
import { redactedMessage } from '../process/redact';

/**
 * Registers commands with one error policy: a failure is logged with its detail and shown to the
 * user in one line, with a button to the log, instead of vanishing as an unhandled rejection.
 */
export function registerCommands(commands: readonly Command[], logger: Logger, showLog: () => void): vscode.Disposable[] {
  return commands.map((command) =>
    vscode.commands.registerCommand(command.id, async (...args: unknown[]) => {
      try {
        return await command.run(...args);
      } catch (error) {
        const message = redactedMessage(error);
        logger.error(`[${command.id}] ${message}`);
        const choice = await vscode.window.showErrorMessage(message.split('\n')[0] ?? message, 'Show Output Log');
        if (choice === 'Show Output Log') showLog();
        return undefined;
      }
    }),
  );
}
