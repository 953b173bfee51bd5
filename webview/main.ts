import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-split-layout/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '../media/inspector.css';
import { parseHostMessage } from '../src/shared/protocol';
import { InspectorApp } from './inspectorApp';
import { vscodeApi } from './vscodeApi';

/**
 * Entry of the webview bundle: the resource-mapping inspector. Only messages that validate
 * against the protocol reach the app; anything else is reported once and dropped.
 */
const api = vscodeApi();
const root = document.getElementById('app');
if (root) {
  const app = new InspectorApp(root, api);
  let reported = false;
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = parseHostMessage(event.data);
    if (message) {
      app.handle(message);
    } else if (!reported) {
      reported = true;
      api.postMessage({ type: 'reportError', message: `the inspector ignored a message it does not understand (${typeof event.data === 'object' && event.data ? String((event.data as { type?: unknown }).type) : typeof event.data})` });
    }
  });
  window.addEventListener('error', (event) => api.postMessage({ type: 'reportError', message: String(event.message).slice(0, 2000) }));
  app.start();
}
