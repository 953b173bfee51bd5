import { KubeConfig } from '@kubernetes/client-node';
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn, type SpawnOptions } from 'node:child_process';
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { KubeApiError } from './errors';
import { serializeKubeconfig, type KubeconfigDocument } from './kubeconfig';

// client-node takes tens of milliseconds to evaluate: this module is part of dist/core-bundle.js,
// which the extension loads on first use (see coreBundle.ts and container.ts).

/**
 * A client-node KubeConfig for one context of a merged kubeconfig (never written to disk). Only
 * that context, its cluster and its user go in: client-node rejects a whole config for one
 * malformed entry, and one broken context must not take the others down with it.
 */
/**
 * How long a credential plugin may run when no request bounds it: client-node's port-forward
 * (its WebSocket handler) fetches credentials outside our requests. kubectl gives plugins no
 * limit; a hung one would hold a connect forever.
 */
export const CREDENTIAL_PLUGIN_TIMEOUT_MS = 30_000;

export function kubeConfigForContext(document: KubeconfigDocument, contextName: string, options: { credentialPluginTimeoutMs?: number } = {}): KubeConfig {
  const context = document.contexts.find((entry) => entry.name === contextName);
  if (!context) throw new Error(`no context named ${contextName}`);
  const single: KubeconfigDocument = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: document.clusters.filter((entry) => entry.name === context.context.cluster),
    users: document.users.filter((entry) => entry.name === context.context.user),
    contexts: [context],
    'current-context': contextName,
  };
  const provider = single.users[0]?.user['auth-provider']?.name;
  if (provider === 'gcp' || provider === 'azure') {
    // client-node runs these providers' cmd-path through a shell, synchronously: a slow one would
    // freeze the extension host and no timeout could stop it. kubectl removed both in v1.26.
    throw new Error(`context ${contextName} uses the "${provider}" auth-provider, which kubectl no longer supports (removed in v1.26); use its exec credential plugin instead (${provider === 'gcp' ? 'gke-gcloud-auth-plugin' : 'kubelogin'})`);
  }
  const config = new KubeConfig();
  config.loadFromString(serializeKubeconfig(single));
  boundCredentialPlugins(config, options.credentialPluginTimeoutMs ?? CREDENTIAL_PLUGIN_TIMEOUT_MS);
  return config;
}

/** The signal of the request whose credentials are being fetched (see boundCredentialPlugins). */
const requestSignal = new AsyncLocalStorage<AbortSignal>();

/**
 * An exec credential plugin runs under the same signal as the request that needs it: when the
 * request times out or is cancelled, the plugin is killed, instead of holding the request (and
 * discovery) for as long as it likes. Outside a request (a port-forward), it gets
 * `unboundTimeoutMs`. client-node starts plugins with its ExecAuth's `execFn`.
 */
function boundCredentialPlugins(config: KubeConfig, unboundTimeoutMs: number): void {
  const authenticators = (config as unknown as { authenticators?: unknown[] }).authenticators ?? [];
  for (const authenticator of authenticators) {
    if (authenticator && typeof authenticator === 'object' && 'execFn' in authenticator) {
      (authenticator as { execFn: unknown }).execFn = (command: string, args: readonly string[], options: SpawnOptions) => {
        const signal = requestSignal.getStore() ?? AbortSignal.timeout(unboundTimeoutMs);
        return spawn(command, args, { ...options, signal, killSignal: 'SIGKILL' });
      };
    }
  }
}

/** `promise`, or the signal's reason as soon as it aborts (the work behind the promise is stopped by its owner). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A response larger than this is refused rather than held in memory. */
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/**
 * A small JSON client over client-node's authentication (certificates, tokens, exec and auth
 * providers, proxies). The generated API classes would triple the extension's bundle for the
 * few calls we make, so we speak REST directly; every request takes an AbortSignal.
 */
export class KubeClient {
  constructor(readonly kubeConfig: KubeConfig) {}

  get server(): string {
    const server = this.kubeConfig.getCurrentCluster()?.server;
    if (!server) throw new Error(`context ${this.kubeConfig.getCurrentContext()} has no cluster server`);
    return server;
  }

  getJson<T>(path: string, query: Record<string, string | undefined>, signal: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, { query }, signal);
  }

  /**
   * One REST call. `body` is sent as JSON, or as a merge patch for PATCH (what pause and resume
   * need: a few annotations and the replica count, nothing else of the object touched).
   */
  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, options: RequestBody, signal: AbortSignal): Promise<T> {
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), 'utf8');
    const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
    if (payload) {
      headers['Content-Type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const { url, req, response } = await this.send(method, path, options.query, headers, payload, signal);
    const text = await readBody(req, response, url, MAX_RESPONSE_BYTES);
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) {
      try {
        return (text === '' ? undefined : JSON.parse(text)) as T;
      } catch {
        throw new Error(`${url.pathname}: the API server's answer is not JSON`);
      }
    }
    throw new KubeApiError(status, statusMessage(text) ?? `the API server answered ${status} for ${method} ${url.pathname}`);
  }

  /**
   * Deletes one object only while it is still the one with this uid: the API server checks the
   * precondition, so an object deleted and created again under the same name in the meantime is
   * left alone (409 Conflict) instead of being deleted in its predecessor's place.
   */
  deleteIfUid<T = unknown>(path: string, uid: string, signal: AbortSignal): Promise<T> {
    return this.request<T>('DELETE', path, { body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid } } }, signal);
  }

  /**
   * A GET whose answer is read as it arrives (watches): resolves with the open response once the
   * API server answers 2xx; any other status is read (bounded) and rejected as a KubeApiError.
   * The caller consumes the response and ends it through `signal`.
   */
  async openStream(path: string, options: { query?: Record<string, string | undefined>; accept?: string }, signal: AbortSignal): Promise<IncomingMessage> {
    const { url, req, response } = await this.send('GET', path, options.query, { Accept: options.accept ?? 'application/json' }, undefined, signal);
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return response;
    const text = await readBody(req, response, url, MAX_ERROR_BYTES).catch(() => '');
    throw new KubeApiError(status, statusMessage(text) ?? `the API server answered ${status} for GET ${url.pathname}`);
  }

  /** Sends one request over the context's authentication; resolves when the response headers arrive. */
  private async send(method: string, path: string, query: Record<string, string | undefined> | undefined, headers: Record<string, string>, payload: Buffer | undefined, signal: AbortSignal): Promise<{ url: URL; req: ClientRequest; response: IncomingMessage }> {
    const url = new URL(this.server.replace(/\/+$/, '') + path);
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    const requestOptions: RequestOptions = { method, headers };
    signal.throwIfAborted();
    // A credential plugin may run here; it is bound to this request's signal.
    await requestSignal.run(signal, () => untilAborted(this.kubeConfig.applyToHTTPSOptions(requestOptions as Parameters<KubeConfig['applyToHTTPSOptions']>[0]), signal));
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    if (url.protocol === 'http:') delete requestOptions.agent;
    return new Promise((resolve, reject) => {
      const req = send(url, { ...requestOptions, signal }, (response: IncomingMessage) => resolve({ url, req, response }));
      req.on('error', reject);
      req.end(payload);
    });
  }
}

/** An error answer to a stream request is read up to this size for its Status message. */
const MAX_ERROR_BYTES = 1024 * 1024;

function readBody(req: ClientRequest, response: IncomingMessage, url: URL, maxBytes: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.destroy(new Error(`response from ${url.pathname} is larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    response.on('error', reject);
    req.on('error', reject);
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

export interface RequestBody {
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** The Accept header; JSON unless set (e.g. a metadata-only list: PartialObjectMetadataList). */
  accept?: string;
}

function statusMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}
