import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kubeConfigForContext } from '../../src/kube/client';
import { describeKubeError, KubeApiError } from '../../src/kube/errors';
import type { KubeconfigDocument } from '../../src/kube/kubeconfig';

describe('kubeConfigForContext', () => {
  const document: KubeconfigDocument = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'good', cluster: { server: 'https://127.0.0.1:6443', 'insecure-skip-tls-verify': true } },
      // client-node rejects a cluster without a server; it must not spoil the other contexts.
      { name: 'broken', cluster: {} },
    ],
    users: [{ name: 'me', user: { token: 't' } }],
    contexts: [
      { name: 'good-ctx', context: { cluster: 'good', user: 'me', namespace: 'team' } },
      { name: 'broken-ctx', context: { cluster: 'broken', user: 'me' } },
    ],
  };

  it('holds only the chosen context, its cluster and its user', () => {
    const config = kubeConfigForContext(document, 'good-ctx');
    assert.equal(config.getCurrentContext(), 'good-ctx');
    assert.equal(config.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
    assert.equal(config.getCurrentUser()?.token, 't');
    assert.deepEqual(config.getContexts().map((context) => context.name), ['good-ctx']);
    assert.deepEqual(config.getClusters().map((cluster) => cluster.name), ['good']);
  });

  it('fails for an unknown context, and for a broken one only', () => {
    assert.throws(() => kubeConfigForContext(document, 'nope'), /no context named nope/);
    assert.throws(() => kubeConfigForContext(document, 'broken-ctx'));
  });
});

describe('describeKubeError', () => {
  it('classifies API statuses with one actionable line', () => {
    assert.equal(describeKubeError(new KubeApiError(403, 'statefulsets.apps is forbidden: User "dev" cannot list resource')).kind, 'forbidden');
    assert.match(describeKubeError(new KubeApiError(401, 'Unauthorized')).message, /credentials .* expired/);
    assert.equal(describeKubeError(new KubeApiError(500, 'etcd down')).message, 'etcd down (500)');
  });

  it('classifies network failures and timeouts', () => {
    assert.equal(describeKubeError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).kind, 'unreachable');
    assert.equal(describeKubeError(Object.assign(new Error('self signed'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })).kind, 'tls');
    // What node's http request rejects with when AbortSignal.timeout() fires.
    const timeout = describeKubeError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 5);
    assert.equal(timeout.kind, 'timeout');
    assert.equal(timeout.message, 'no answer within 5 s');
    assert.equal(describeKubeError(new DOMException('This operation was aborted', 'AbortError')).message, 'the request was cancelled');
  });
});
