import { KubeConfig } from '@kubernetes/client-node';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { stringify } from 'yaml';
import { KubeApiError } from './errors';
import type { KubeconfigDocument } from './kubeconfig';

// client-node takes tens of milliseconds to evaluate: this module is part of dist/backend.js,
// which the extension loads on first use (see vcluster/backend.ts and container.ts).

/**
 * A client-node KubeConfig for one context of a merged kubeconfig (never written to disk). Only
 * that context, its cluster and its user go in: client-node rejects a whole config for one
 * malformed entry, and one broken context must not take the others down with it.
 */
export function kubeConfigForContext(document: KubeconfigDocument, contextName: string): KubeConfig {
  const context = document.contexts.find((entry) => entry.name === contextName);
  if (!context) throw new Error(`no context named ${contextName}`);
  const single = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: document.clusters.filter((entry) => entry.name === context.context.cluster),
    users: document.users.filter((entry) => entry.name === context.context.user),
    contexts: [context],
    'current-context': contextName,
  };
  const config = new KubeConfig();
  config.loadFromString(stringify(single));
  return config;
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
    const url = new URL(this.server.replace(/\/+$/, '') + path);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body), 'utf8');
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (payload) {
      headers['Content-Type'] = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const requestOptions: RequestOptions = { method, headers };
    await this.kubeConfig.applyToHTTPSOptions(requestOptions as Parameters<KubeConfig['applyToHTTPSOptions']>[0]);
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    if (url.protocol === 'http:') delete requestOptions.agent;
    return new Promise<T>((resolve, reject) => {
      const req = send(url, { ...requestOptions, signal }, (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy(new Error(`response from ${url.pathname} is larger than ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            try {
              resolve((text === '' ? undefined : JSON.parse(text)) as T);
            } catch {
              reject(new Error(`${url.pathname}: the API server's answer is not JSON`));
            }
            return;
          }
          reject(new KubeApiError(status, statusMessage(text) ?? `the API server answered ${status} for ${method} ${url.pathname}`));
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
}

export interface RequestBody {
  query?: Record<string, string | undefined>;
  body?: unknown;
}

function statusMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}
