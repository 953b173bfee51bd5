// Secret vc-NAME is written by whoever may write Secrets in the vCluster's namespace: what it holds
// is data. These are the shapes of kubeconfig a hostile Secret could carry; none of them may bring
// a program, a file, a proxy or a TLS switch into the extension's connections file.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { KubeClient } from '../../src/kube/client';
import { emptyKubeconfig, parseKubeconfig, type KubeconfigDocument } from '../../src/kube/kubeconfig';
import { connectionKubeconfig, ConnectionsKubeconfig, storedConnection, trustedConnections } from '../../src/vcluster/connect/connectionsKubeconfig';
import { readVirtualKubeconfig } from '../../src/vcluster/connect/virtualKubeconfig';
import { loadKubeconfigFormat, TempDir } from './builders/kubeconfig';

type Json = Record<string, unknown>;

const CA = 'Q0E=';
const CERT = 'Q0VSVA==';
const KEY = 'S0VZ';

/** A vCluster kubeconfig as the syncer writes it, with `cluster`, `user` and `context` extras. */
function virtualKubeconfig(extra: { cluster?: Json; user?: Json; context?: Json } = {}): KubeconfigDocument {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'my-vcluster', cluster: { server: 'https://localhost:8443', 'certificate-authority-data': CA, ...extra.cluster } }],
    users: [{ name: 'my-vcluster', user: { 'client-certificate-data': CERT, 'client-key-data': KEY, ...extra.user } }],
    contexts: [{ name: 'my-vcluster', context: { cluster: 'my-vcluster', user: 'my-vcluster', ...extra.context } }],
    'current-context': 'my-vcluster',
  };
}

function entryOf(virtual: KubeconfigDocument) {
  const { kubeconfig, ignored } = connectionKubeconfig(virtual, 'vcluster_demo_ns_host', 'https://127.0.0.1:10443');
  const config = kubeconfig as { clusters: Array<{ cluster: Json }>; users: Array<{ user: Json }>; contexts: Array<{ context: Json }> };
  return { cluster: config.clusters[0]!.cluster, user: config.users[0]!.user, context: config.contexts[0]!.context, ignored };
}

const HOSTILE: Array<{ what: string; extra: { cluster?: Json; user?: Json; context?: Json }; ignored: string[] }> = [
  { what: 'an exec credential plugin', extra: { user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/bin/sh', args: ['-c', 'touch /tmp/pwned'] } } }, ignored: ['user.exec'] },
  { what: 'a gcp auth-provider with cmd-path (client-node runs it through a shell)', extra: { user: { 'auth-provider': { name: 'gcp', config: { 'cmd-path': '/bin/sh', 'cmd-args': '-c "touch /tmp/pwned"' } } } }, ignored: ['user.auth-provider'] },
  { what: 'an oidc auth-provider', extra: { user: { 'auth-provider': { name: 'oidc', config: { 'idp-issuer-url': 'https://evil' } } } }, ignored: ['user.auth-provider'] },
  { what: 'a token file', extra: { user: { tokenFile: '/root/.ssh/id_rsa' } }, ignored: ['user.tokenFile'] },
  { what: 'a client certificate from a file', extra: { user: { 'client-certificate': '/etc/shadow' } }, ignored: ['user.client-certificate'] },
  { what: 'a client key from a file', extra: { user: { 'client-key': '/root/.ssh/id_ed25519' } }, ignored: ['user.client-key'] },
  { what: 'basic auth', extra: { user: { username: 'admin', password: 'secret' } }, ignored: ['user.username', 'user.password'] },
  { what: 'impersonation', extra: { user: { as: 'system:admin', 'as-groups': ['system:masters'], 'as-uid': '0', 'as-user-extra': { a: ['b'] } } }, ignored: ['user.as', 'user.as-groups', 'user.as-uid', 'user.as-user-extra'] },
  { what: 'user extensions', extra: { user: { extensions: [{ name: 'x', extension: {} }] } }, ignored: ['user.extensions'] },
  { what: 'a proxy for every request', extra: { cluster: { 'proxy-url': 'http://attacker.example:3128' } }, ignored: ['cluster.proxy-url'] },
  { what: 'TLS verification switched off', extra: { cluster: { 'insecure-skip-tls-verify': true } }, ignored: ['cluster.insecure-skip-tls-verify'] },
  { what: 'a CA from a file', extra: { cluster: { 'certificate-authority': '/etc/ssl/private/key.pem' } }, ignored: ['cluster.certificate-authority'] },
  { what: 'another TLS server name', extra: { cluster: { 'tls-server-name': 'attacker.example' } }, ignored: ['cluster.tls-server-name'] },
  { what: 'compression switched off and cluster extensions', extra: { cluster: { 'disable-compression': true, extensions: [] } }, ignored: ['cluster.disable-compression', 'cluster.extensions'] },
  { what: 'a non-string certificate', extra: { user: { 'client-key-data': { nested: KEY }, token: 'abc' } }, ignored: ['user.client-key-data'] },
  { what: 'context extensions', extra: { context: { extensions: [{ name: 'x' }] } }, ignored: ['context.extensions'] },
];

describe('security: a vCluster\'s kubeconfig from Secret vc-NAME is data', () => {
  for (const { what, extra, ignored } of HOSTILE) {
    it(`leaves out ${what} and names it`, () => {
      const entry = entryOf(virtualKubeconfig(extra));
      assert.deepEqual(entry.ignored, ignored);
      for (const field of ignored) {
        const [part, name] = field.split('.') as ['cluster' | 'user' | 'context', string];
        assert.equal(Object.hasOwn(entry[part], name), false, `${field} is not in the entry`);
      }
      // What a vCluster needs is still there.
      assert.equal(entry.cluster['certificate-authority-data'], CA);
      assert.equal(entry.cluster.server, 'https://127.0.0.1:10443');
    });
  }

  it('keeps exactly the syncer\'s fields: CA, client certificate and key, token, the context\'s namespace', () => {
    const entry = entryOf(virtualKubeconfig({ user: { token: 'dG9r' }, context: { namespace: 'team-a' } }));
    assert.deepEqual(entry.ignored, []);
    assert.deepEqual(entry.cluster, { 'certificate-authority-data': CA, server: 'https://127.0.0.1:10443' });
    assert.deepEqual(entry.user, { 'client-certificate-data': CERT, 'client-key-data': KEY, token: 'dG9r' });
    assert.deepEqual(entry.context, { namespace: 'team-a', cluster: 'vcluster_demo_ns_host', user: 'vcluster_demo_ns_host' });
  });

  it('refuses a kubeconfig whose only credential was something it left out, saying what', () => {
    const onlyExec = virtualKubeconfig({ user: { exec: { command: 'x' } } });
    (onlyExec.users as Array<{ user: Json }>)[0]!.user = { exec: { command: 'x' } };
    assert.throws(() => connectionKubeconfig(onlyExec, 'c', 'https://127.0.0.1:1'), /no client certificate or token \(left out: user\.exec\)/);
  });

  it('names hostile field names safely: no control characters, bounded length', () => {
    const entry = entryOf(virtualKubeconfig({ user: { ['\u001b[31mred\nline' + 'x'.repeat(100)]: 'v' } }));
    assert.equal(entry.ignored.length, 1);
    // eslint-disable-next-line no-control-regex -- control characters are what must not be there
    assert.doesNotMatch(entry.ignored[0]!, /[\u0000-\u001f]/);
    assert.ok(entry.ignored[0]!.length <= 'user.'.length + 41);
  });

  it('takes no prototype from the cluster: a __proto__ key stays a plain, left-out field', () => {
    // Read as Secret vc-NAME is read: the kubeconfig model's parser.
    const parsed = parseKubeconfig('users: [{name: u, user: {"__proto__": {exec: {command: x}}, token: t}}]\nclusters: [{name: c, cluster: {server: "https://x"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]');
    assert.ok(parsed.ok);
    const entry = entryOf(parsed.document);
    assert.equal((entry.user as { exec?: unknown }).exec, undefined);
    assert.equal(Object.getPrototypeOf(entry.user), Object.prototype);
  });

  it('does not quote a damaged Secret: the parse error names the Secret, not its lines', async () => {
    const damaged = 'users:\n- name: u\n  user:\n    client-key-data: LS0tLS1CRUdJTiBQUklWQVRF\n   bad: [indent\n';
    const client = { getJson: async () => ({ data: { config: Buffer.from(damaged).toString('base64') } }) } as unknown as KubeClient;
    await assert.rejects(
      readVirtualKubeconfig(client, { hostContext: 'h', namespace: 'ns', name: 'demo' }, AbortSignal.timeout(1000)),
      (error: Error) => {
        assert.match(error.message, /Secret vc-demo in ns does not hold a kubeconfig kubectl reads in its "config" key \(not valid YAML at line \d+/);
        assert.doesNotMatch(error.message, /LS0tLS1CRUdJTiBQUklWQVRF|client-key-data|bad/);
        return true;
      },
    );
  });
});

describe('security: connections an earlier version stored whole', () => {
  const dir = new TempDir();
  after(() => dir.remove());
  const legacy = (name: string, user: Json) => ({
    clusters: [{ name, cluster: { server: 'https://127.0.0.1:10443', 'certificate-authority-data': CA, 'proxy-url': 'http://attacker:1' } }],
    users: [{ name, user }],
    contexts: [{ name, context: { cluster: name, user: name } }],
  });

  it('are cut down to the keep-list at start, the rest of the file as it was; a clean file is not rewritten', async () => {
    const dirty = legacy('vcluster_old_ns_h', { 'client-certificate-data': CERT, 'client-key-data': KEY, exec: { command: '/bin/sh', args: ['-c', 'touch /tmp/x'] } });
    const clean = connectionKubeconfig(virtualKubeconfig(), 'vcluster_new_ns_h', 'https://127.0.0.1:10444').kubeconfig as typeof dirty;
    const path = dir.write('vclusters.kubeconfig', stringify({
      apiVersion: 'v1', kind: 'Config', 'x-note': 'kept',
      clusters: [...dirty.clusters, ...clean.clusters], users: [...dirty.users, ...clean.users], contexts: [...dirty.contexts, ...clean.contexts],
    }));
    const file = new ConnectionsKubeconfig(path, loadKubeconfigFormat);
    const cleaned = await file.removeUntrustedFields();
    assert.deepEqual([...cleaned], [['vcluster_old_ns_h', ['cluster.proxy-url', 'user.exec']]]);
    // Read back as kubectl (and the window's kubeconfig) reads it.
    const reread = parseKubeconfig(readFileSync(path, 'utf8'));
    assert.ok(reread.ok);
    const rewritten = reread.document;
    assert.equal(rewritten['x-note'], 'kept');
    const old = storedConnection(rewritten, 'vcluster_old_ns_h')!;
    assert.deepEqual(old.ignored, []);
    assert.deepEqual((old.kubeconfig.users as Array<{ user: Json }>)[0]!.user, { 'client-certificate-data': CERT, 'client-key-data': KEY });
    assert.deepEqual(storedConnection(rewritten, 'vcluster_new_ns_h')!.ignored, []);
    assert.deepEqual((await file.contextNames()).sort(), ['vcluster_new_ns_h', 'vcluster_old_ns_h']);
    const written = statSync(path).mtimeMs;
    assert.equal((await file.removeUntrustedFields()).size, 0);
    assert.equal(statSync(path).mtimeMs, written, 'nothing to clean: not rewritten');
  });
  it('the window\'s kubeconfig merges the connections file only through the keep-list: an older version\'s whole entry loses its exec, an unusable one is left out', () => {
    const good = connectionKubeconfig(virtualKubeconfig(), 'vcluster_good_ns_host', 'https://127.0.0.1:10443').kubeconfig;
    const legacy = virtualKubeconfig({ user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/bin/sh', args: ['-c', 'touch /tmp/pwned'] } }, cluster: { 'proxy-url': 'http://evil:3128' } }) as { clusters: Json[]; users: Json[]; contexts: Json[] };
    const rename = (list: Json[]) => list.map((entry) => ({ ...entry, name: 'vcluster_old_ns_host' }));
    const file = {
      apiVersion: 'v1', kind: 'Config',
      clusters: [...(good.clusters as Json[]), ...rename(legacy.clusters)],
      users: [...(good.users as Json[]), ...rename(legacy.users)],
      contexts: [...(good.contexts as Json[]), { name: 'vcluster_old_ns_host', context: { cluster: 'vcluster_old_ns_host', user: 'vcluster_old_ns_host' } }, { name: 'broken', context: { cluster: 'nowhere', user: 'nobody' } }],
    };
    const { document, ignored } = trustedConnections(file as KubeconfigDocument);
    const text = stringify(document);
    assert.doesNotMatch(text, /exec|\/bin\/sh|proxy-url|evil/, 'nothing of the legacy entry\'s program or proxy is merged');
    assert.deepEqual((document.contexts as Json[]).map((entry) => entry.name), ['vcluster_good_ns_host', 'vcluster_old_ns_host']);
    assert.deepEqual(ignored.get('vcluster_old_ns_host')?.sort(), ['cluster.proxy-url', 'user.exec']);
    assert.equal(ignored.has('vcluster_good_ns_host'), false);
    assert.deepEqual(trustedConnections(emptyKubeconfig()).document.contexts, [], 'an empty file merges nothing');
  });
});
