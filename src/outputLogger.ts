import * as vscode from 'vscode';
import type { Logger } from './process/log';
import { redactSecrets } from './process/redact';

/**
 * The "vCluster" output channel as the core's Logger (a LogOutputChannel: levels and timestamps).
 * Every line passes the redaction layer: nothing secret reaches the channel, whatever wrote it.
 */
export function createOutputLogger(): { channel: vscode.LogOutputChannel; logger: Logger } {
  const channel = vscode.window.createOutputChannel('vCluster', { log: true });
  const logger: Logger = {
    trace: (message) => channel.trace(redactSecrets(message)),
    info: (message) => channel.info(redactSecrets(message)),
    warn: (message) => channel.warn(redactSecrets(message)),
    error: (message) => channel.error(redactSecrets(message)),
  };
  return { channel, logger };
}
