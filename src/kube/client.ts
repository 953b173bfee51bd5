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

  async getJson<T>(path: string, query: Record<string, string | undefined>, signal: AbortSignal): Promise<T> {
    const url = new URL(this.server.replace(/\/+$/, '') + path);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
    const options: RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
    await this.kubeConfig.applyToHTTPSOptions(options as Parameters<KubeConfig['applyToHTTPSOptions']>[0]);
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    if (url.protocol === 'http:') delete options.agent;
    return new Promise<T>((resolve, reject) => {
      const req = send(url, { ...options, signal }, (response: IncomingMessage) => {
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
              resolve(JSON.parse(text) as T);
            } catch {
              reject(new Error(`${url.pathname}: the API server's answer is not JSON`));
            }
            return;
          }
          reject(new KubeApiError(status, statusMessage(text) ?? `the API server answered ${status} for ${url.pathname}`));
        });
      });
      req.on('error', reject);
      req.end();
    });
  }
}

function statusMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}
