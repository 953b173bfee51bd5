import * as vscode from 'vscode';
import type { Logger } from './process/log';

/** The "vCluster" output channel as the core's Logger (a LogOutputChannel: levels and timestamps). */
export function createOutputLogger(): { channel: vscode.LogOutputChannel; logger: Logger } {
  const channel = vscode.window.createOutputChannel('vCluster', { log: true });
  const logger: Logger = {
    trace: (message) => channel.trace(message),
    info: (message) => channel.info(message),
    warn: (message) => channel.warn(message),
    error: (message) => channel.error(message),
  };
  return { channel, logger };
}
