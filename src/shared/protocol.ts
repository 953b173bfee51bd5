/**
 * The one message protocol between the extension and its webviews; both bundles import this
 * file. Every message is a discriminated union member, and every message received on either
 * side goes through a parse function here: nothing crosses the boundary as `any`.
 */

export const PROTOCOL_VERSION = 1;

/** Webview → extension. */
export type WebviewMessage =
  | { type: 'ready'; protocolVersion: number }
  | { type: 'reportError'; message: string };

/** Extension → webview. */
export type HostMessage =
  | { type: 'hello'; protocolVersion: number; title: string };

type Validator<T> = (value: Record<string, unknown>) => T | undefined;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const MAX_TEXT = 10_000;
function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TEXT;
}

function parseWith<T extends { type: string }>(validators: Record<T['type'], Validator<T>>, value: unknown): T | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') return undefined;
  if (!Object.prototype.hasOwnProperty.call(validators, value.type)) return undefined;
  return validators[value.type as T['type']](value);
}

const webviewValidators: Record<WebviewMessage['type'], Validator<WebviewMessage>> = {
  ready: (value) => (typeof value.protocolVersion === 'number' ? { type: 'ready', protocolVersion: value.protocolVersion } : undefined),
  reportError: (value) => (isText(value.message) ? { type: 'reportError', message: value.message } : undefined),
};

const hostValidators: Record<HostMessage['type'], Validator<HostMessage>> = {
  hello: (value) =>
    typeof value.protocolVersion === 'number' && isText(value.title)
      ? { type: 'hello', protocolVersion: value.protocolVersion, title: value.title }
      : undefined,
};

/** For the extension side: a message from a webview, or undefined when it is not one we know. */
export function parseWebviewMessage(value: unknown): WebviewMessage | undefined {
  return parseWith(webviewValidators, value);
}

/** For the webview side: a message from the extension, or undefined when it is not one we know. */
export function parseHostMessage(value: unknown): HostMessage | undefined {
  return parseWith(hostValidators, value);
}
