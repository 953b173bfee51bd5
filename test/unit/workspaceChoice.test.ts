import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editKubeconfigText } from '../../src/kube/userKubeconfigEdit';
import { contextOfChoice, describeChoice, effectiveChoice, NO_WORKSPACE_CHOICE, parseWorkspaceChoice, sameChoice, storedWorkspaceChoice } from '../../src/workspace/workspaceChoice';

describe('workspace choice', () => {
  it('reads a host or a vCluster from the stored value or the team setting, and writes the same shape back', () => {
    const host = parseWorkspaceChoice({ context: 'kind-dev' });
    assert.deepEqual(host, { kind: 'host', context: 'kind-dev' });
    const vcluster = parseWorkspaceChoice({ context: 'arn:aws:eks:eu-west-1:1:cluster/x', vcluster: 'vcluster-dev/dev' });
    assert.deepEqual(vcluster, { kind: 'vcluster', vcluster: { hostContext: 'arn:aws:eks:eu-west-1:1:cluster/x', namespace: 'vcluster-dev', name: 'dev' } });
    assert.deepEqual(parseWorkspaceChoice(storedWorkspaceChoice(vcluster!)), vcluster);
    assert.deepEqual(parseWorkspaceChoice(storedWorkspaceChoice(host!)), host);
    assert.equal(contextOfChoice(host!), 'kind-dev');
    assert.equal(contextOfChoice(vcluster!), 'vcluster_dev_vcluster-dev_arn:aws:eks:eu-west-1:1:cluster/x', 'the name `vcluster connect` gives it');
    assert.equal(describeChoice(vcluster!), 'dev (vCluster on arn:aws:eks:eu-west-1:1:cluster/x)');
    assert.ok(sameChoice(host, { kind: 'host', context: 'kind-dev' }));
    assert.ok(!sameChoice(host, vcluster));
    assert.ok(sameChoice(undefined, undefined));
  });

  it('the window\'s own choice outranks the team\'s setting, and so does an explicit "none"', () => {
    const team = { context: 'kind-team', vcluster: 'vcluster-dev/dev' };
    assert.deepEqual(effectiveChoice(undefined, team), { kind: 'vcluster', vcluster: { hostContext: 'kind-team', namespace: 'vcluster-dev', name: 'dev' } });
    assert.deepEqual(effectiveChoice({ context: 'mine' }, team), { kind: 'host', context: 'mine' });
    assert.equal(effectiveChoice(NO_WORKSPACE_CHOICE, team), undefined);
    assert.equal(effectiveChoice(undefined, undefined), undefined);
    assert.deepEqual(effectiveChoice({ context: 7 }, { context: 'kind-team' }), { kind: 'host', context: 'kind-team' }, 'a damaged stored value falls back to the team\'s');
  });

  it('rejects anything else', () => {
    for (const bad of [undefined, null, 'kind-dev', [], {}, { context: '' }, { context: '   ' }, { context: 7 }, { context: 'x'.repeat(254) },
      { context: 'kind-dev', vcluster: 'dev' }, { context: 'kind-dev', vcluster: 'Bad/Name' }, { context: 'kind-dev', vcluster: 'a/b/c' }, { context: 'kind-dev', vcluster: 5 }]) {
      assert.equal(parseWorkspaceChoice(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('writing a context into a user kubeconfig (opt-in, as vcluster connect does)', () => {
  const original = [
    '# my clusters, by hand',
    'apiVersion: v1',
    'kind: Config',
    'preferences: {}',
    'clusters:',
    '  - name: prod # careful',
    '    cluster:',
    '      server: https://prod.example:6443',
    '      x-unknown: kept',
    '    extensions: [{ name: mine, extension: { a: 1 } }]',
    'users:',
    '  - name: prod',
    '    user: { token: SENTINEL-TOKEN }',
    'contexts:',
    '  - name: prod',
    '    context: { cluster: prod, user: prod }',
    'current-context: prod',
    'x-top-level: also kept',
    '',
  ].join('\n');

  it('only sets current-context for a host context, keeping comments, order and unknown fields', () => {
    const edited = editKubeconfigText('/home/me/.kube/config', original, 'staging');
    assert.equal(edited, original.replace('current-context: prod', 'current-context: staging'));
  });

  it('adds a vCluster\'s entries, replaces them by name the next time, and leaves the rest alone', () => {
    const entries = (server: string) => ({
      clusters: [{ name: 'vcluster_dev_ns_prod', cluster: { server, 'certificate-authority-data': 'Q0E=' } }],
      users: [{ name: 'vcluster_dev_ns_prod', user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' } }],
      contexts: [{ name: 'vcluster_dev_ns_prod', context: { cluster: 'vcluster_dev_ns_prod', user: 'vcluster_dev_ns_prod' } }],
    });
    const once = editKubeconfigText('/k', original, 'vcluster_dev_ns_prod', entries('https://127.0.0.1:10001'));
    const twice = editKubeconfigText('/k', once, 'vcluster_dev_ns_prod', entries('https://127.0.0.1:10002'));
    assert.equal((twice.match(/name: vcluster_dev_ns_prod/g) ?? []).length, 3, 'one cluster, user and context, not two of each');
    assert.match(twice, /server: https:\/\/127\.0\.0\.1:10002/);
    assert.doesNotMatch(twice, /10001/);
    for (const kept of ['# my clusters, by hand', '# careful', 'x-unknown: kept', 'name: mine', 'SENTINEL-TOKEN', 'x-top-level: also kept']) {
      assert.ok(twice.includes(kept), `kept: ${kept}`);
    }
    assert.match(twice, /current-context: vcluster_dev_ns_prod/);
  });

  it('starts an empty file, and refuses to touch a file it cannot read as a kubeconfig', () => {
    assert.match(editKubeconfigText('/k', '', 'kind-dev'), /apiVersion: v1\nkind: Config\ncurrent-context: kind-dev/);
    assert.throws(() => editKubeconfigText('/home/me/.kube/config', 'clusters: [\n', 'x'), /\/home\/me\/\.kube\/config is not valid YAML.*left as it is/);
    assert.throws(() => editKubeconfigText('/k', '- a\n- b\n', 'x'), /not a kubeconfig/);
    assert.throws(() => editKubeconfigText('/k', 'clusters: 5\n', 'x', { clusters: [{ name: 'a', cluster: {} }], users: [], contexts: [] }), /clusters is not a list/);
  });
});
