import { randomBytes } from 'node:crypto';

export interface InspectorHtmlInput {
  /** webview.cspSource: the origin the webview may load the bundle, styles and fonts from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
  title: string;
  nonce?: string;
}

/** 128 random bits, fresh for every page: the only scripts that run are the ones carrying it. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

/** Everything that goes into the page's markup is escaped; the title is a vCluster's name. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/**
 * The inspector's page: an empty shell the webview bundle fills in. The policy allows nothing by
 * default; scripts only with the nonce; styles and fonts only from the bundle's folder (plus the
 * nonce, which the web components' constructed style sheets do not need but a fallback <style>
 * would); no network, no frames, no eval.
 */
export function inspectorHtml(input: InspectorHtmlInput): string {
  const nonce = input.nonce ?? makeNonce();
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${input.cspSource} 'nonce-${nonce}'`,
    `font-src ${input.cspSource}`,
    `img-src ${input.cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(input.codiconUri)}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${escapeHtml(input.styleUri)}">
<title>${escapeHtml(input.title)}</title>
</head>
<body>
<div id="app" data-title="${escapeHtml(input.title)}"></div>
<script nonce="${nonce}" src="${escapeHtml(input.scriptUri)}"></script>
</body>
</html>`;
}
