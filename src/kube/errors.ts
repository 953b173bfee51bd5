/** Kubernetes API and network errors, classified for the UI. Free of client-node so it loads instantly. */

/** The API server answered with an error status; `message` is the server's own Status message. */
export class KubeApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export type KubeErrorKind = 'forbidden' | 'unauthorized' | 'notFound' | 'conflict' | 'timeout' | 'unreachable' | 'tls' | 'other';

export interface KubeErrorDescription {
  kind: KubeErrorKind;
  /** One line a user can act on; never includes credentials. */
  message: string;
  status?: number;
}

/**
 * Recognised by shape, not `instanceof`: the client that throws lives in dist/core-bundle.js and the
 * code that catches in dist/extension.js, each bundle with its own copy of this class.
 */
export function isKubeApiError(error: unknown): error is KubeApiError {
  return error instanceof KubeApiError
    || (error instanceof Error && error.name === 'KubeApiError' && typeof (error as { status?: unknown }).status === 'number');
}

/** Turns API and network errors into a kind the UI can branch on and one clear line. */
export function describeKubeError(error: unknown, timeoutSeconds?: number): KubeErrorDescription {
  if (isKubeApiError(error)) {
    const status = error.status;
    switch (status) {
      case 401:
        return { kind: 'unauthorized', status, message: 'the API server rejected the credentials (401): they may have expired' };
      case 403:
        return { kind: 'forbidden', status, message: `forbidden (403): ${error.message}` };
      case 404:
        return { kind: 'notFound', status, message: error.message };
      case 409:
        return { kind: 'conflict', status, message: error.message };
      default:
        return { kind: 'other', status, message: `${error.message} (${status})` };
    }
  }
  const err = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code;
  if (err.name === 'AbortError' || err.name === 'TimeoutError' || err.code === 'ABORT_ERR') {
    return { kind: 'timeout', message: timeoutSeconds ? `no answer within ${timeoutSeconds} s` : 'the request was cancelled' };
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ECONNRESET' || code === 'EAI_AGAIN') {
    return { kind: 'unreachable', message: `cannot reach the API server (${code})` };
  }
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|EPROTO/.test(code)) {
    return { kind: 'tls', message: `TLS failed (${code}): check the cluster's certificate-authority` };
  }
  const message = (err.message ?? String(error)).split('\n')[0] ?? 'unknown error';
  return { kind: 'other', message };
}
