// The node agent's pure parts: the host kubeconfig as a pod sees it, and the names it gives links
// and namespaces (Linux allows 15 characters for a link; two hosts must never share one).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { nodeAgentUnavailable } from '../env/nodeAgent/control';
import { bridgeName, netnsPrefix, podNetnsName } from '../env/nodeAgent/podNetwork';
import { podHostKubeconfig } from '../env/nodeAgent/podSyncer';

describe('node agent', () => {
  it('points the pod\'s host kubeconfig at the gateway and keeps checking the certificate against the name it was issued for', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-unit-'));
    try {
      const file = join(dir, 'kubeconfig.yaml');
      writeFileSync(file, [
        'apiVersion: v1',
        'kind: Config',
        '# kwokctl writes file paths for the credentials',
        'clusters:',
        '- name: kwok-x',
        '  cluster:',
        '    server: https://127.0.0.1:39043',
        '    certificate-authority: /cache/pki/ca.crt',
        'users:',
        '- name: kwok-x',
        '  user: {client-certificate: /cache/pki/admin.crt, client-key: /cache/pki/admin.key}',
        'contexts:',
        '- name: kwok-x',
        '  context: {cluster: kwok-x, user: kwok-x}',
        'current-context: kwok-x',
        '',
      ].join('\n'));
      const rewritten = parse(podHostKubeconfig(file, '10.203.255.254')) as { clusters: Array<{ cluster: Record<string, string> }>; users: Array<{ user: Record<string, string> }> };
      assert.deepEqual(rewritten.clusters[0]!.cluster, {
        server: 'https://10.203.255.254:39043',
        'certificate-authority': '/cache/pki/ca.crt',
        'tls-server-name': '127.0.0.1',
      });
      assert.equal(rewritten.users[0]!.user['client-key'], '/cache/pki/admin.key', 'everything else is kept');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without root, says in one line what needs root and why', () => {
    const original = process.getuid;
    process.getuid = () => 1000;
    try {
      const message = nodeAgentUnavailable();
      assert.ok(message);
      assert.doesNotMatch(message, /\n/);
      assert.match(message, /needs root: each vCluster pod gets a network namespace, a veth on a bridge and bind mounts/);
      assert.match(message, /stay hollow/);
    } finally {
      process.getuid = original;
    }
    if (process.getuid?.() === 0) assert.equal(nodeAgentUnavailable(), undefined, 'as root it can run');
  });

  it('names links within 15 characters, distinct per host, and namespaces by host and pod', () => {
    const uid = '0c9f7e2a-5b1d-4e6f-8a3b-2d4c6e8f0a1b';
    for (const cluster of ['vcluster-vscode', 'it-12345', 'a'.repeat(40)]) {
      assert.ok(bridgeName(cluster).length <= 15, bridgeName(cluster));
      assert.ok(podNetnsName(cluster, uid).startsWith(netnsPrefix(cluster)));
    }
    assert.notEqual(bridgeName('it-1'), bridgeName('it-2'));
    assert.notEqual(podNetnsName('it-1', uid), podNetnsName('it-2', uid));
    assert.match(podNetnsName('it-1', '../../etc; rm -rf /'), /^vcvs-[0-9a-f]{8}-[0-9a-f]*$/, 'only hex of a uid reaches the name');
  });
});
