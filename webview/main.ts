import { PROTOCOL_VERSION, parseHostMessage, type WebviewMessage } from '../src/shared/protocol';

/**
 * Entry of the webview bundle (the resource-mapping inspector grows here). It speaks only the
 * typed protocol: it announces itself, and it ignores anything that does not validate.
 */

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById('app');

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  if (!message) return;
  switch (message.type) {
    case 'hello':
      if (root) root.textContent = message.title;
      break;
  }
});

vscode.postMessage({ type: 'ready', protocolVersion: PROTOCOL_VERSION });
