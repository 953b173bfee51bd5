import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseKubeconfig, serializeKubeconfig, type KubeconfigDocument, type KubeconfigFormat } from '../../../src/kube/kubeconfig';

/** Builds kubeconfig documents and writes them to a temp folder that the test removes. */
export function aKubeconfig(options: {
  contexts?: Array<{ name: string; cluster?: string; user?: string; namespace?: string }>;
  clusters?: Array<{ name: string; server?: string; extra?: Record<string, unknown> }>;
  users?: Array<{ name: string; extra?: Record<string, unknown> }>;
  current?: string;
  extra?: Record<string, unknown>;
}): KubeconfigDocument {
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

/** The kubeconfig model's parser and writer, as ConnectionsKubeconfig gets them from the core bundle. */
export const loadKubeconfigFormat = async (): Promise<KubeconfigFormat> => ({ parseKubeconfig, serializeKubeconfig });

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

const CLUSTER_NAMES = ['kind-dev', 'prod', 'staging', 'minikube'];
const USER_NAMES = ['admin', 'dev', 'ci', 'kind-dev'];
// vcluster_a_team_kind-dev is also the extension's vCluster context: user files sometimes clash with it.
const CONTEXT_NAMES = ['dev', 'prod', 'staging', 'kind-dev', 'minikube', 'vcluster_a_team_kind-dev'];
/** Strings a careless YAML writer would turn into booleans, numbers, nulls or comments. */
const TRICKY_STRINGS = ['yes', 'no', 'on', '0777', '0o17', '1e3', 'null', '~', '- dash', 'a: b', '#hash', 'two\nlines', '', ' padded ', 'ünïcödé', '"quoted"', "it's"];

/**
 * 1–4 kubeconfig files with overlapping names, fields kubectl does not know (beside `name`, inside
 * entries and at the top level), sometimes relative certificate paths or an empty file, and an
 * optional extension file holding a vCluster context. Every context's cluster is defined in the
 * file that defines the context, so any of `contextNames` can be made current.
 */
export function randomKubeconfigFiles(random: () => number): {
  sources: Array<{ path: string; text: string }>;
  extra: Array<{ path: string; text: string }>;
  contextNames: string[];
} {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (probability: number) => random() < probability;
  const some = <T>(items: readonly T[], most: number): T[] => [...new Set(Array.from({ length: 1 + Math.floor(random() * most) }, () => pick(items)))];
  const value = (depth = 0): unknown => {
    const kind = random();
    if (kind < 0.4 || depth > 1) return chance(0.8) ? pick(TRICKY_STRINGS) : chance(0.5) ? Math.floor(random() * 1e6) : chance(0.5);
    if (kind < 0.55) return null;
    if (kind < 0.8) return [value(depth + 1), value(depth + 1)];
    return { [pick(['team', 'note', 'on'])]: value(depth + 1), nested: value(depth + 1) };
  };
  const unknownFields = (): Record<string, unknown> => (chance(0.5) ? { [pick(['x-team', 'x-note', 'owner'])]: value() } : {});
  const extensions = () => (chance(0.3) ? { extensions: [{ name: pick(['example.com/a', 'b']), extension: value() }] } : {});
  const fileCount = 1 + Math.floor(random() * 4);
  const sources = Array.from({ length: fileCount }, (_, index) => {
    const path = `/virtual/home${index}/.kube/config`;
    if (index > 0 && chance(0.1)) return { path, text: pick(['', '  \n', '# nothing here yet\n']) };
    const clusters = some(CLUSTER_NAMES, 3);
    const users = some(USER_NAMES, 3);
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      ...(chance(0.3) ? { preferences: { colors: chance(0.5), ...unknownFields() } } : {}),
      clusters: clusters.map((name) => ({
        name,
        ...extensions(),
        cluster: {
          server: `https://${name}.file${index}:6443`,
          ...(chance(0.3) ? { 'certificate-authority': pick(['ca.crt', 'certs/ca.crt', '../shared/ca.crt', '/etc/ca.crt']) } : {}),
          ...unknownFields(),
        },
      })),
      users: users.map((name) => ({
        name,
        ...extensions(),
        user: {
          token: `token-${name}-${index}`,
          ...(chance(0.2) ? { 'client-certificate': 'me.crt', 'client-key': '../keys/me.key' } : {}),
          ...(chance(0.1) ? { tokenFile: 'token' } : {}),
          ...unknownFields(),
        },
      })),
      contexts: some(CONTEXT_NAMES, 3).map((name) => ({
        name,
        ...extensions(),
        context: { cluster: pick(clusters), user: pick(users), ...(chance(0.3) ? { namespace: pick(TRICKY_STRINGS) || 'default' } : {}), ...unknownFields() },
      })),
      'current-context': pick(CONTEXT_NAMES),
      ...unknownFields(),
      ...extensions(),
    };
    // Written as YAML 1.1, the way kubectl reads it: a bare yes, on or 0755 would not be a string there.
    return { path, text: stringify(config, { version: '1.1' }) };
  });
  const vcluster = 'vcluster_a_team_kind-dev';
  const extra = chance(0.5)
    ? [{ path: '/virtual/storage/vclusters.kubeconfig', text: stringify(aSimpleKubeconfig(vcluster, 'https://127.0.0.1:31443')) }]
    : [];
  const contextNames = new Set<string>(extra.length > 0 ? [vcluster] : []);
  for (const { text } of sources) for (const context of (parse(text, { version: '1.1' }) as { contexts?: Array<{ name: string }> } | null)?.contexts ?? []) contextNames.add(context.name);
  return { sources, extra, contextNames: [...contextNames] };
}

/**
 * Document `index` of the writer test/unit/support/workspaceKubeconfigWriter.ts runs until it is
 * killed; the padding makes each write long enough that a kill often lands in the middle of one.
 */
export function aWriterDocument(seed: number, index: number): KubeconfigDocument {
  const name = `writer-${seed}-${index}`;
  return {
    ...aSimpleKubeconfig(name, `https://127.0.0.1:${10_000 + index}`),
    'x-writer': { seed, index },
    'x-padding': String(index % 10).repeat(256 * 1024),
  };
}
