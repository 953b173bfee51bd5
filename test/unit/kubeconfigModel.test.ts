// One kubeconfig model (src/kube/kubeconfig.ts) for every reader and writer: what used to hold
// only for the window's kubeconfig now holds for the view's loader, the connections file, Secret
// vc-NAME and the opt-in edit of the user's file too.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { KubeClient } from '../../src/kube/client';
import { loadKubeconfig, parseKubeconfig, serializeKubeconfig } from '../../src/kube/kubeconfig';
import { editKubeconfigText } from '../../src/kube/userKubeconfigEdit';
import { connectionKubeconfig, ConnectionsKubeconfig } from '../../src/vcluster/connect/connectionsKubeconfig';
import { readVirtualKubeconfig } from '../../src/vcluster/connect/virtualKubeconfig';
import { loadKubeconfigFormat, TempDir } from './builders/kubeconfig';

const CA = 'Q0E=';

/** Secret vc-NAME's kubeconfig as text, the way a Go YAML writer may leave it. */
const secretKubeconfig = (cluster: string, context = '') => [
  'apiVersion: v1',
  'clusters:',
  '- name: my-vcluster',
  '  cluster:',
  '    server: https://localhost:8443',
  `    certificate-authority-data: ${CA}`,
  cluster,
  'users:',
  '- name: my-vcluster',
  '  user: {token: abc}',
  'contexts:',
  '- name: my-vcluster',
  '  context:',
  '    cluster: my-vcluster',
  '    user: my-vcluster',
  context,
  'current-context: my-vcluster',
].filter((line) => line !== '').join('\n');

const secretClient = (text: string) => ({ getJson: async () => ({ data: { config: Buffer.from(text).toString('base64') } }) }) as unknown as KubeClient;
const ref = { hostContext: 'h', namespace: 'ns', name: 'demo' };

describe('one kubeconfig model', () => {
  const dir = new TempDir();
  after(() => dir.remove());

  it('the connections file is written so kubectl reads back every value as it was (YAML 1.1: "no", "0755", "on" stay text)', async () => {
    const path = dir.file('typed/vclusters.kubeconfig');
    const file = new ConnectionsKubeconfig(path, loadKubeconfigFormat);
    const virtual = parseKubeconfig(secretKubeconfig('', '    namespace: "no"'));
    assert.ok(virtual.ok);
    const entry = connectionKubeconfig(virtual.document, 'vcluster_on_0755_h', 'https://127.0.0.1:10443').kubeconfig;
    entry.users[0]!.user = { token: '0755' };
    await file.upsert(entry);
    const text = readFileSync(path, 'utf8');
    assert.match(text, /namespace: "no"/);
    assert.match(text, /token: "0755"/);
    const reread = parseKubeconfig(text);
    assert.ok(reread.ok, 'kubectl\'s reading of the file refuses nothing');
    assert.equal(reread.document.contexts[0]!.context.namespace, 'no');
    assert.equal(reread.document.users[0]!.user.token, '0755');
  });

  it('the connections file is read as kubectl reads it: a BOM, CRLF and a trailing --- are fine, unknown fields are kept', async () => {
    const text = '\uFEFFapiVersion: v1\r\nkind: Config\r\nx-note: kept\r\nclusters: []\r\nusers: []\r\ncontexts: []\r\n---\r\n';
    const path = dir.write('bom.kubeconfig', text);
    const file = new ConnectionsKubeconfig(path, loadKubeconfigFormat);
    await file.upsert({
      clusters: [{ name: 'v', cluster: { server: 'https://127.0.0.1:1' } }],
      users: [{ name: 'v', user: { token: 't' } }],
      contexts: [{ name: 'v', context: { cluster: 'v', user: 'v' } }],
    });
    const document = await file.read();
    assert.equal(document['x-note'], 'kept');
    assert.deepEqual(await file.contextNames(), ['v']);
  });

  it('the connections file is refused where kubectl would refuse it, naming the field, never its value', async () => {
    // A YAML 1.2 writer (earlier versions) left a bare `no`: kubectl reads a boolean where it wants text.
    const path = dir.write('bare.kubeconfig', 'contexts:\n- name: v\n  context: {cluster: v, user: v, namespace: no}\nusers:\n- name: v\n  user: {token: s3cr3t-value}\n');
    const file = new ConnectionsKubeconfig(path, loadKubeconfigFormat);
    await assert.rejects(file.read(), (error: Error) => {
      assert.match(error.message, /contexts\[0\]\.context\.namespace is a boolean to kubectl.*move it aside and connect again/);
      assert.doesNotMatch(error.message, /s3cr3t/);
      return true;
    });
  });

  it('Secret vc-NAME is read with kubectl\'s semantics: `insecure-skip-tls-verify: yes` is the boolean it is to kubectl, and is left out', async () => {
    const virtual = await readVirtualKubeconfig(secretClient(`${secretKubeconfig('    insecure-skip-tls-verify: yes')}\n---\n`), ref, AbortSignal.timeout(1000));
    assert.equal(virtual.clusters[0]!.cluster['insecure-skip-tls-verify'], true);
    const { ignored } = connectionKubeconfig(virtual, 'vcluster_demo_ns_h', 'https://127.0.0.1:10443');
    assert.deepEqual(ignored, ['cluster.insecure-skip-tls-verify']);
  });

  it('Secret vc-NAME that kubectl would refuse is refused, saying which field', async () => {
    await assert.rejects(readVirtualKubeconfig(secretClient(secretKubeconfig('', '    namespace: off')), ref, AbortSignal.timeout(1000)),
      /Secret vc-demo in ns does not hold a kubeconfig kubectl reads in its "config" key \(contexts\[0\]\.context\.namespace is a boolean/);
  });

  it('the view\'s loader keeps every field, as the window\'s file does: the merge is one', async () => {
    const first = dir.write('first', 'apiVersion: v1\nx-team: {owner: platform}\nclusters:\n- name: k\n  x-entry: kept\n  cluster: {server: "https://k:6443", x-cluster: 1}\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\ncurrent-context: c\n');
    const second = dir.write('second', 'apiVersion: v1\nx-team: ignored\nextensions: [{name: e, extension: {a: yes}}]\ncontexts: []\n');
    const loaded = await loadKubeconfig([first, second]);
    assert.equal(loaded.state, 'ok');
    if (loaded.state !== 'ok') return;
    assert.deepEqual(loaded.document['x-team'], { owner: 'platform' }, 'the first file that has a top-level field wins');
    assert.deepEqual(loaded.document.extensions, [{ name: 'e', extension: { a: true } }]);
    assert.equal(loaded.document.clusters[0]!['x-entry'], 'kept');
    assert.equal(loaded.document.clusters[0]!.cluster['x-cluster'], 1);
  });

  it('an entry whose body is not a mapping is refused where it is, as kubectl refuses it; a missing one reads as empty', () => {
    const refused = parseKubeconfig('clusters:\n- name: a\n  cluster: {server: "https://a"}\n- name: b\n  cluster: 5\n');
    assert.deepEqual(refused, { ok: false, problem: 'entry 2 of "clusters": its "cluster" is not a mapping at line 4, column 3' });
    const empty = parseKubeconfig('users:\n- name: u\n- name: v\n  user: ~\n');
    assert.ok(empty.ok);
    assert.deepEqual(empty.document.users, [{ name: 'u', user: {} }, { name: 'v', user: {} }]);
  });

  it('parse, serialize, parse gives the same document, strings YAML 1.1 would misread included', () => {
    const tricky = ['yes', 'no', 'on', 'off', 'y', '0777', '1e3', '1:20', '~', 'null', '2001-12-14', 'a: b', '#x', ''];
    const text = serializeKubeconfig({
      apiVersion: 'v1', kind: 'Config', 'x-tricky': tricky,
      clusters: [{ name: 'on', cluster: { server: 'https://x', 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'yes', user: { token: '0755' } }],
      contexts: [{ name: 'no', context: { cluster: 'on', user: 'yes', namespace: 'off' } }],
      'current-context': 'no',
    });
    const once = parseKubeconfig(text);
    assert.ok(once.ok);
    assert.deepEqual(once.document['x-tricky'], tricky);
    const twice = parseKubeconfig(serializeKubeconfig(once.document));
    assert.ok(twice.ok);
    assert.deepEqual(twice.document, once.document);
  });

  it('the opt-in edit of the user\'s file writes what kubectl reads as text: a context named yes or on is quoted', () => {
    const original = 'apiVersion: v1\nclusters: []\n# keep me\ncurrent-context: prod\n';
    assert.equal(editKubeconfigText('/k', original, 'yes'), original.replace('current-context: prod', 'current-context: "yes"'));
    assert.equal(editKubeconfigText('/k', original, 'kind-dev'), original.replace('current-context: prod', 'current-context: kind-dev'));
    const added = editKubeconfigText('/k', original, 'on', {
      clusters: [{ name: 'on', cluster: { server: 'https://127.0.0.1:1' } }],
      users: [{ name: 'on', user: { token: '0755' } }],
      contexts: [{ name: 'on', context: { cluster: 'on', user: 'on', namespace: 'no' } }],
    });
    const reread = parseKubeconfig(added);
    assert.ok(reread.ok, 'kubectl reads the edited file');
    assert.equal(reread.document['current-context'], 'on');
    assert.deepEqual(reread.document.contexts[0]!.context, { cluster: 'on', user: 'on', namespace: 'no' });
    assert.equal(reread.document.users[0]!.user.token, '0755');
    assert.match(added, /# keep me/);
  });
});
