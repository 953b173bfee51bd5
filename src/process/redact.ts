/**
 * The last line of defence before text reaches the output channel or a notification: whatever a
 * parser, a CLI or a cluster put into a message, key material and tokens are replaced. Messages
 * are built not to hold them in the first place; this catches what slips through (a CLI echoing
 * a kubeconfig, an error quoting a Secret's line).
 */

const REDACTED = '[redacted]';

/** PEM blocks, whole; an unterminated one to the end of the text. */
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?(?:-----END \1-----|$)/g;

/**
 * `key: value`, `key=value` and `"key": "value"` for keys that name a secret: kubeconfig's
 * `*-data`, tokens, passwords, client secrets. The value runs to the end of the line or to a quote.
 */
const SECRET_KEY = String.raw`(?:[\w.-]*-data|[\w.-]*token|password|passwd|[\w.-]*secret|client-key|private-key|api-?key)`;
const SECRET_PAIR = new RegExp(String.raw`(["']?\b${SECRET_KEY}["']?\s*[:=]\s*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s,;}\]]+)`, 'gi');

/** A command line's `--password VALUE`, `--token VALUE` (the `=` form is a pair above). */
const SECRET_FLAG = new RegExp(String.raw`(--${SECRET_KEY}\s+)([^\s-][^\s]*)`, 'gi');

/** The password in a URL's user info: `mysql://root:PASSWORD@db`. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)@/gi;

/** Authorization headers and bearer tokens anywhere. */
const BEARER = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

/** JSON Web Tokens (service-account tokens, OIDC id tokens): three base64url parts, the first `eyJ`. */
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g;

/** Base64 of a PEM block ("-----BEGIN" encodes to LS0tLS1CRUdJTi), as kubeconfigs carry them. */
const BASE64_PEM = /LS0tLS1CRUdJTi[A-Za-z0-9+/=]*/g;

/** Any other long base64 run: certificates and keys in formats not named above. */
const LONG_BASE64 = /[A-Za-z0-9+/]{120,}={0,2}/g;

export function redactSecrets(text: string): string {
  return text
    .replace(PEM_BLOCK, (_match, kind: string) => `-----BEGIN ${kind}----- ${REDACTED} -----END ${kind}-----`)
    .replace(SECRET_PAIR, (_match, key: string, value: string) => `${key}${value.startsWith('"') ? `"${REDACTED}"` : REDACTED}`)
    .replace(SECRET_FLAG, (_match, flag: string) => `${flag}${REDACTED}`)
    .replace(URL_PASSWORD, (_match, prefix: string) => `${prefix}${REDACTED}@`)
    .replace(BEARER, (_match, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(BASE64_PEM, REDACTED)
    .replace(LONG_BASE64, REDACTED);
}

/** An error's message for a notification or a log line, redacted. */
export function redactedMessage(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message : String(error));
}

/**
 * Text another party wrote (a webview's error report, a field name from a cluster) as one log
 * line: control characters, including newlines that would forge further lines and escape
 * sequences, become '?'.
 */
export function printableLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it replaces
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}
