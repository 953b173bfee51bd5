// kubectl is the judge of every kubeconfig we write. Each shape below is a user kubeconfig; real
// kubectl (built here, v1.36) either reads it or refuses it. When it reads it, the extension reads
// it too, merges it into a window's kubeconfig and writes that, and `kubectl config view --raw -o
// json` must give the same values for every entry from both files; when it refuses it (YAML 1.1
// types a bare `no` as a boolean, and a string field then fails), the extension refuses it too. YAML 1.1 booleans, string fields that look like numbers,
// document separators, a BOM, CRLF, anchors and merge keys are where a YAML 1.2 reader goes wrong.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { buildWorkspaceKubeconfig } from '../../src/kube/workspaceKubeconfig';
import { writeWorkspaceKubeconfig } from '../../src/kube/workspaceKubeconfigFile';
import { runProcess } from '../../src/process/run';
import { cachedHostBinaries } from '../env/hostBinaries';

const CA = 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUI=';

/** A kubeconfig with one context `c` → cluster `k`, user `u`, around the fields given (YAML text). */
function around(cluster: string, user: string, context = '', top = ''): string {
  return [
    'apiVersion: v1', 'kind: Config', top,
    'clusters:', '- name: k', '  cluster:', '    server: https://127.0.0.1:6443', cluster,
    'users:', '- name: u', '  user:', user,
    'contexts:', '- name: c', '  context:', '    cluster: k', '    user: u', context,
    'current-context: c', '',
  ].filter((line) => line !== '').join('\n');
}

const SHAPES: Array<{ what: string; text: string; current?: string }> = [
  { what: 'minimal', text: around('', '    token: abc') },
  ...['yes', 'on', 'y', 'Y', 'YES', 'True', 'true'].map((word) => ({ what: `insecure-skip-tls-verify: ${word}`, text: around(`    insecure-skip-tls-verify: ${word}`, '    token: abc') })),
  ...['no', 'off', 'n', 'OFF', 'false'].map((word) => ({ what: `disable-compression: ${word}`, text: around(`    disable-compression: ${word}`, '    token: abc') })),
  { what: 'namespace: no (a string field)', text: around('', '    token: abc', '    namespace: no') },
  { what: 'namespace: on, quoted', text: around('', '    token: abc', '    namespace: "on"') },
  { what: 'a token that looks like a number', text: around('', '    token: 0755') },
  { what: 'a token in exponent form', text: around('', '    token: 1e3') },
  { what: 'a token ~ (null)', text: around('', '    token: ~\n    username: admin\n    password: 0x1F') },
  { what: 'names that look like numbers', text: 'apiVersion: v1\nclusters:\n- name: 0755\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: 1e3\n  user: {token: t}\ncontexts:\n- name: c\n  context: {cluster: 0755, user: 1e3}\ncurrent-context: c\n' },
  { what: 'current-context: yes', text: 'apiVersion: v1\nclusters:\n- name: k\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: "yes"\n  context: {cluster: k, user: u}\ncurrent-context: yes\n', current: 'yes' },
  { what: 'a trailing document separator', text: `${around('', '    token: abc')}\n---\n` },
  { what: 'a leading document separator', text: `---\n${around('', '    token: abc')}` },
  { what: 'a second document, ignored', text: `${around('', '    token: abc')}\n---\nclusters: []\n` },
  { what: 'a byte-order mark', text: `\uFEFF${around('', '    token: abc')}` },
  { what: 'CRLF line endings', text: around('    insecure-skip-tls-verify: yes', '    token: abc').replace(/\n/g, '\r\n') },
  { what: 'comments everywhere', text: around('    # the CA\n    certificate-authority-data: ' + CA + ' # inline', '    token: abc # token') },
  { what: 'anchors and aliases', text: 'apiVersion: v1\nclusters:\n- name: k\n  cluster: &k {server: "https://127.0.0.1:1", insecure-skip-tls-verify: on}\n- name: k2\n  cluster: *k\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: c\n  context: {cluster: k2, user: u}\ncurrent-context: c\n' },
  { what: 'merge keys', text: 'apiVersion: v1\nclusters:\n- name: k\n  cluster: &base {server: "https://127.0.0.1:1", insecure-skip-tls-verify: yes}\n- name: k2\n  cluster:\n    <<: *base\n    tls-server-name: other\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: c\n  context: {cluster: k2, user: u}\ncurrent-context: c\n' },
  { what: 'JSON', text: JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } }], users: [{ name: 'u', user: { token: 't' } }], contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }], 'current-context': 'c' }) },
  { what: 'an exec plugin with args, env and provideClusterInfo: yes', text: around('', '    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: kubelogin\n      args: [get-token, --server-id, 0123, yes]\n      env: [{name: MODE, value: on}, {name: N, value: 42}]\n      provideClusterInfo: yes\n      interactiveMode: Never') },
  { what: 'an oidc auth-provider whose config looks numeric', text: around('', '    auth-provider:\n      name: oidc\n      config: {client-id: 0123, idp-issuer-url: "https://id", extra-scopes: yes}') },
  { what: 'impersonation with as-groups and as-user-extra', text: around('', '    token: t\n    as: no\n    as-groups: [no, on, 0755]\n    as-user-extra: {reason: [yes, 1e3]}') },
  { what: 'preferences colors: on', text: around('', '    token: t', '', 'preferences: {colors: on}') },
  { what: 'extensions on entries and at the top level', text: `${around('', '    token: t')}\nextensions:\n- name: example.com/x\n  extension: {a: yes}\n` },
  { what: 'unicode and spaces in names', text: 'apiVersion: v1\nclusters:\n- name: "prod: eu ünï"\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: "a b"\n  user: {token: t}\ncontexts:\n- name: c\n  context: {cluster: "prod: eu ünï", user: "a b"}\ncurrent-context: c\n' },
  { what: 'empty strings and nulls', text: around('', '    token: ""\n    username:', '    namespace: ""') },
  { what: 'an IPv6 server and a proxy', text: 'apiVersion: v1\nclusters:\n- name: k\n  cluster: {server: "https://[::1]:6443", proxy-url: "socks5://127.0.0.1:1080", tls-server-name: api}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\ncurrent-context: c\n' },
  { what: 'a folded token', text: around('', '    token: >-\n      abc\n      def') },
  { what: 'single-quoted strings with quotes', text: around('', "    token: 'it''s'") },
  { what: 'absolute certificate and token file paths', text: around('    certificate-authority: /etc/ssl/ca.crt', '    client-certificate: /home/u/me.crt\n    client-key: /home/u/me.key\n    tokenFile: /run/token') },
  { what: 'two clusters, the context picks the second', text: 'apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: "https://127.0.0.1:1"}\n- name: b\n  cluster: {server: "https://127.0.0.1:2", insecure-skip-tls-verify: Yes}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: c\n  context: {cluster: b, user: u, namespace: off}\ncurrent-context: c\n' },
];

type View = { clusters?: Array<{ name: string }>; users?: Array<{ name: string }>; contexts?: Array<{ name: string }> };

async function kubectlView(kubectl: string, file: string): Promise<View> {
  const result = await runProcess(kubectl, ['config', 'view', '--raw', '-o', 'json', '--kubeconfig', file], { timeoutMs: 30_000 });
  return JSON.parse(result.stdout) as View;
}

const byName = <T extends { name: string }>(list: T[] | undefined) => Object.fromEntries((list ?? []).map((entry) => [entry.name, entry]));

describe('security: kubectl reads what the extension writes exactly as it reads the user\'s file', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'vcluster-corpus-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it(`${SHAPES.length} shapes of kubeconfig`, async (t) => {
    assert.ok(SHAPES.length >= 30);
    const kubectl = cachedHostBinaries()?.kubectl;
    assert.ok(kubectl, 'the tier set-up built kubectl');
    const failures: string[] = [];
    let refusedByBoth = 0;
    for (const [index, shape] of SHAPES.entries()) {
      const userFile = join(scratch, `user-${index}`);
      const workspaceFile = join(scratch, `workspace-${index}`);
      writeFileSync(userFile, shape.text, { mode: 0o600 });
      const expected = await kubectlView(kubectl, userFile).catch(() => undefined);
      let ours: string | undefined;
      try {
        const document = buildWorkspaceKubeconfig({ sources: [{ path: userFile, text: shape.text }], currentContext: shape.current ?? 'c' });
        await writeWorkspaceKubeconfig(workspaceFile, document);
      } catch (error) {
        ours = (error as Error).message;
      }
      if (!expected) {
        // kubectl refuses the user's file: the extension must not make something of it either.
        if (ours === undefined) failures.push(`${shape.what}: kubectl refuses the user's file, the extension accepted it`);
        else refusedByBoth += 1;
        continue;
      }
      if (ours !== undefined) {
        failures.push(`${shape.what}: kubectl reads the user's file, the extension refused it (${ours})`);
        continue;
      }
      const actual = await kubectlView(kubectl, workspaceFile).catch((error: Error) => { failures.push(`${shape.what}: kubectl cannot read our file (${error.message.split('\n').slice(0, 3).join(' ')})`); return undefined; });
      if (!actual) continue;
      for (const list of ['clusters', 'users', 'contexts'] as const) {
        const want = byName(expected[list]);
        const got = byName(actual[list]);
        for (const name of Object.keys(want)) {
          if (JSON.stringify(got[name]) !== JSON.stringify(want[name])) {
            failures.push(`${shape.what}: ${list} ${name}: kubectl sees ${JSON.stringify(got[name])} in ours, ${JSON.stringify(want[name])} in the user's`);
          }
        }
      }
    }
    // Both judgments are exercised: most shapes are read, some refused (YAML 1.1 typing).
    assert.ok(refusedByBoth >= 5 && refusedByBoth <= SHAPES.length - 25, `${refusedByBoth} refused by both`);
    t.diagnostic(`${SHAPES.length} shapes: ${SHAPES.length - refusedByBoth} read alike, ${refusedByBoth} refused by both, ${failures.length} differences`);
    assert.deepEqual(failures, []);
  });
});
