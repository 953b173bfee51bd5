import assert from 'node:assert/strict';
import { delimiter, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadKubeconfig, parseKubeconfigText } from '../../src/kube/kubeconfig';
import { kubeconfigPaths } from '../../src/kube/kubeconfigFiles';
import { aKubeconfig, aSimpleKubeconfig, TempDir } from './builders/kubeconfig';

describe('kubeconfigPaths', () => {
  it('uses every KUBECONFIG entry in order, dropping empties and repeats', () => {
    const paths = kubeconfigPaths({ configured: [], kubeconfigEnv: ['/a', '', '/b', '/a'].join(delimiter), home: '/home/u' });
    assert.deepEqual(paths, ['/a', '/b']);
  });

  it('falls back to ~/.kube/config', () => {
    assert.deepEqual(kubeconfigPaths({ configured: [], kubeconfigEnv: undefined, home: '/home/u' }), ['/home/u/.kube/config']);
    assert.deepEqual(kubeconfigPaths({ configured: [' '], kubeconfigEnv: '', home: '/home/u' }), ['/home/u/.kube/config']);
  });

  it('prefers the setting over KUBECONFIG and expands ~ and relative paths', () => {
    const paths = kubeconfigPaths({ configured: ['~/k1', 'rel/k2'], kubeconfigEnv: '/ignored', home: '/home/u', cwd: '/work' });
    assert.deepEqual(paths, ['/home/u/k1', '/work/rel/k2']);
  });
});

describe('loadKubeconfig', () => {
  const dir = new TempDir();
  after(() => dir.remove());

  it('reports missing when no file exists', async () => {
    const result = await loadKubeconfig([join(dir.path, 'nope'), join(dir.path, 'nope2')]);
    assert.equal(result.state, 'missing');
    assert.deepEqual(result.files.map((file) => file.exists), [false, false]);
  });

  it('merges files the kubectl way: first definition and first current-context win', async () => {
    const first = dir.write('first', aKubeconfig({
      contexts: [{ name: 'shared', cluster: 'c1' }, { name: 'only-first', cluster: 'c1' }],
      clusters: [{ name: 'c1', server: 'https://first:6443' }],
      users: [{ name: 'shared' }, { name: 'only-first' }],
    }));
    const second = dir.write('second', aKubeconfig({
      contexts: [{ name: 'shared', cluster: 'c2', namespace: 'ignored' }, { name: 'only-second', cluster: 'c2' }],
      clusters: [{ name: 'c1', server: 'https://ignored:6443' }, { name: 'c2', server: 'https://second:6443' }],
      users: [{ name: 'only-second' }],
      current: 'only-second',
    }));
    const result = await loadKubeconfig([first, join(dir.path, 'missing-in-between'), second]);
    assert.equal(result.state, 'ok');
    if (result.state !== 'ok') return;
    assert.deepEqual(result.contexts.map((context) => [context.name, context.server, context.sourceFile]), [
      ['shared', 'https://first:6443', first],
      ['only-first', 'https://first:6443', first],
      ['only-second', 'https://second:6443', second],
    ]);
    assert.equal(result.contexts[0]?.namespace, undefined);
    assert.equal(result.currentContext, 'only-second');
    assert.deepEqual(result.files.map((file) => file.exists), [true, false, true]);
  });

  it('makes certificate and key paths absolute against the file that names them', async () => {
    const file = dir.write('relative', aKubeconfig({
      contexts: [{ name: 'k' }],
      clusters: [{ name: 'k', server: 'https://k:6443', extra: { 'certificate-authority': 'certs/ca.crt' } }],
      users: [{ name: 'k', extra: { 'client-certificate': 'certs/me.crt', 'client-key': '/abs/me.key' } }],
    }));
    const result = await loadKubeconfig([file]);
    assert.equal(result.state, 'ok');
    if (result.state !== 'ok') return;
    assert.equal(result.document.clusters[0]?.cluster['certificate-authority'], join(dir.path, 'certs/ca.crt'));
    assert.equal(result.document.users[0]?.user['client-certificate'], join(dir.path, 'certs/me.crt'));
    assert.equal(result.document.users[0]?.user['client-key'], '/abs/me.key');
  });

  it('flags contexts whose cluster or user is not defined, without failing the rest', async () => {
    const file = dir.write('dangling', aKubeconfig({
      contexts: [{ name: 'good' }, { name: 'no-cluster', cluster: 'ghost' }, { name: 'no-user', cluster: 'good', user: 'ghost' }],
      clusters: [{ name: 'good', server: 'https://good:6443' }],
      users: [{ name: 'good' }],
      current: 'deleted-context',
    }));
    const result = await loadKubeconfig([file]);
    assert.equal(result.state, 'ok');
    if (result.state !== 'ok') return;
    assert.equal(result.contexts[0]?.problem, undefined);
    assert.match(result.contexts[1]?.problem ?? '', /cluster "ghost"/);
    assert.match(result.contexts[2]?.problem ?? '', /user "ghost"/);
    assert.equal(result.currentContext, undefined, 'a current-context naming no context is not current');
  });

  it('says noContexts for an empty or context-less file', async () => {
    assert.equal((await loadKubeconfig([dir.write('empty', '')])).state, 'noContexts');
    assert.equal((await loadKubeconfig([dir.write('bare', aKubeconfig({}))])).state, 'noContexts');
  });

  it('reports malformed YAML with file, line and column but never the content', async () => {
    const secret = 'c2VjcmV0LWtleS1tYXRlcmlhbA==';
    const file = dir.write('broken', `apiVersion: v1\nusers:\n- name: u\n  user:\n    client-key-data: ${secret}\n   bad: [unclosed\n`);
    const result = await loadKubeconfig([file, dir.write('fine', aSimpleKubeconfig('fine', 'https://127.0.0.1:1'))]);
    assert.equal(result.state, 'invalid');
    if (result.state !== 'invalid') return;
    assert.match(result.problem, /broken: not valid YAML at line \d+, column \d+/);
    assert.ok(!result.problem.includes(secret), 'the error must not quote key material');
  });

  it('rejects documents that are not kubeconfigs', () => {
    assert.throws(() => parseKubeconfigText('/x', '- just\n- a list\n'), /top level is not a mapping/);
    assert.throws(() => parseKubeconfigText('/x', 'contexts: nope\n'), /"contexts" is not a list/);
    assert.throws(() => parseKubeconfigText('/x', 'clusters:\n- cluster: {server: x}\n'), /entry 1 of "clusters" has no name/);
  });

  it('reads a file it cannot open as invalid, naming the reason', async () => {
    const result = await loadKubeconfig([dir.path]);
    assert.equal(result.state, 'invalid');
    if (result.state === 'invalid') assert.match(result.problem, /cannot be read \(EISDIR\)/);
  });
});
