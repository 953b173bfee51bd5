import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** Builds kubeconfig documents and writes them to a temp folder that the test removes. */
export function aKubeconfig(options: {
  contexts?: Array<{ name: string; cluster?: string; user?: string; namespace?: string }>;
  clusters?: Array<{ name: string; server?: string; extra?: Record<string, unknown> }>;
  users?: Array<{ name: string; extra?: Record<string, unknown> }>;
  current?: string;
  extra?: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: (options.clusters ?? []).map((cluster) => ({ name: cluster.name, cluster: { ...(cluster.server ? { server: cluster.server } : {}), ...cluster.extra } })),
    users: (options.users ?? []).map((user) => ({ name: user.name, user: { ...user.extra } })),
    contexts: (options.contexts ?? []).map((context) => ({
      name: context.name,
      context: { cluster: context.cluster ?? context.name, user: context.user ?? context.name, ...(context.namespace ? { namespace: context.namespace } : {}) },
    })),
    ...(options.current ? { 'current-context': options.current } : {}),
    ...options.extra,
  };
}

/** One context whose cluster and user share its name: the common kind/minikube shape. */
export function aSimpleKubeconfig(name: string, server: string, extra: { namespace?: string; current?: boolean } = {}) {
  return aKubeconfig({
    contexts: [{ name, ...(extra.namespace ? { namespace: extra.namespace } : {}) }],
    clusters: [{ name, server, extra: { 'insecure-skip-tls-verify': true } }],
    users: [{ name, extra: { token: 'not-a-real-token' } }],
    ...(extra.current === false ? {} : { current: name }),
  });
}

export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'vcluster-test-'));
  write(name: string, content: string | Record<string, unknown>): string {
    const file = join(this.path, name);
    writeFileSync(file, typeof content === 'string' ? content : stringify(content), { mode: 0o600 });
    return file;
  }
  /** A path inside the folder (the file need not exist). */
  file(name: string): string {
    return join(this.path, name);
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
