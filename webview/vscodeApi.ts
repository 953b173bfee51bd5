import type { WebviewMessage } from '../src/shared/protocol';

/** The part of VS Code's webview API the inspector uses, typed to the protocol. */
export interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export function vscodeApi(): VsCodeApi {
  return acquireVsCodeApi();
}
