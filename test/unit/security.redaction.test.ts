// Nothing secret in the log or a notification: each path that reads a kubeconfig or a Secret
// reports problems without quoting, and the redaction layer in front of the output channel
// catches whatever slips through (here: the yaml package's own pretty errors, CLI output).
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { KubeClient } from '../../src/kube/client';
import { parseKubeconfig, parseKubeconfigText } from '../../src/kube/kubeconfig';
import { parseYamlQuietly } from '../../src/kube/quietYaml';
import { MemoryLogger } from '../../src/process/log';
import { printableLine, redactedMessage, redactSecrets } from '../../src/process/redact';
import * as core from '../../src/coreBundle';
import { ConnectionsKubeconfig } from '../../src/vcluster/connect/connectionsKubeconfig';
import { readVirtualKubeconfig } from '../../src/vcluster/connect/virtualKubeconfig';
import { loadKubeconfigFormat, TempDir } from './builders/kubeconfig';
import { createVClusterServices } from '../../src/vcluster/vclusterServices';

/** Values no message may ever contain. */
const KEY_DATA = 'LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSUJhZA==';
const TOKEN = 'sa-token-0123456789abcdef';
const PASSWORD = 'hunter2-database-password';
const SECRETS = [KEY_DATA, TOKEN, PASSWORD, 'MIIEpAIBAAKCAQEA'];

/** A kubeconfig with key material on the lines around a YAML error. */
const DAMAGED_KUBECONFIG = [
  'apiVersion: v1',
  'users:',
  '- name: admin',
  '  user:',
  `    client-key-data: ${KEY_DATA}`,
  `    token: ${TOKEN}`,
  '   broken: [indent',
  'clusters: []',
].join('\n');

const DAMAGED_VALUES = [
  'controlPlane:',
  '  backingStore:',
  '    database:',
  '      external:',
  `        dataSource: "mysql://root:${PASSWORD}@db:3306/vcluster"`,
  `        password: ${PASSWORD}`,
  '       oops: {',
].join('\n');

function assertNoSecret(text: string, where: string): void {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} must not contain ${secret.slice(0, 12)}…: ${text}`);
}

describe('security: no secret in a message', () => {
  const dir = new TempDir();
  after(() => dir.remove());

  it('the user\'s kubeconfig: the parse error says where, not what', () => {
    assert.throws(() => parseKubeconfigText('/home/u/.kube/config', DAMAGED_KUBECONFIG), (error: Error) => {
      assert.match(error.message, /not valid YAML at line \d+/);
      assertNoSecret(error.message, 'the kubeconfig error');
      return true;
    });
  });

  it('the workspace\'s kubeconfig', () => {
    const parsed = parseKubeconfig(DAMAGED_KUBECONFIG);
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assertNoSecret(parsed.problem, 'the workspace file problem');
  });

  it('the connections file', async () => {
    const file = new ConnectionsKubeconfig(dir.write('vclusters.kubeconfig', DAMAGED_KUBECONFIG), loadKubeconfigFormat);
    await assert.rejects(file.read(), (error: Error) => {
      assertNoSecret(error.message, 'the connections file error');
      return true;
    });
  });

  it('Secret vc-NAME', async () => {
    const client = { getJson: async () => ({ data: { config: Buffer.from(DAMAGED_KUBECONFIG).toString('base64') } }) } as unknown as KubeClient;
    await assert.rejects(readVirtualKubeconfig(client, { hostContext: 'h', namespace: 'n', name: 'v' }, AbortSignal.timeout(1000)), (error: Error) => {
      assertNoSecret(error.message, 'the Secret error');
      return true;
    });
  });

  it('Secret vc-config-NAME (the mapping reads what syncs from it)', () => {
    const parsed = parseYamlQuietly(DAMAGED_VALUES);
    assert.equal(parsed.ok, false);
    if (!parsed.ok) {
      assert.match(parsed.problem, /line 7/);
      assertNoSecret(parsed.problem, 'the vc-config problem');
    }
  });

  it('a values file chosen for create or upgrade', async () => {
    const logger = new MemoryLogger();
    const actions = createVClusterServices({
      loadCoreBundle: async () => core, kubeconfig: () => undefined, tools: () => ({ preference: 'auto' }), chart: () => ({}),
      connections: new ConnectionsKubeconfig(dir.path + '/c', loadKubeconfigFormat), connectServers: () => ({}), logger, requestTimeoutMs: () => 1000,
    });
    await assert.rejects(actions.lifecycle.checkValuesFiles([dir.write('values.yaml', DAMAGED_VALUES)]), (error: Error) => {
      assert.match(error.message, /not valid YAML \(line 7/);
      assertNoSecret(error.message, 'the values file error');
      return true;
    });
  });
});

describe('security: the redaction layer in front of the output channel', () => {
  it('catches what the yaml package quotes when a caller forgets prettyErrors', () => {
    let quoted = '';
    try {
      parse(DAMAGED_KUBECONFIG);
    } catch (error) {
      quoted = (error as Error).message;
    }
    assert.ok(quoted.includes(TOKEN) || quoted.includes(KEY_DATA), 'the raw parser error does quote the file (else this test proves nothing)');
    assertNoSecret(redactedMessage(new Error(quoted)), 'the redacted parser error');
  });

  const cases: Array<[string, string]> = [
    ['kubeconfig data fields', `client-key-data: ${KEY_DATA}\n    client-certificate-data: MIIEpAIBAAKCAQEAxyz`],
    ['JSON fields', `{"token":"${TOKEN}","password": "${PASSWORD}"}`],
    ['flags', `kubectl --token=${TOKEN} --password ${PASSWORD}`],
    ['a bearer header', `Authorization: Bearer ${TOKEN}`],
    ['a JWT alone', `the token was eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.${TOKEN}`],
    ['a PEM block', `-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n${PASSWORD}\n-----END RSA PRIVATE KEY-----`],
    ['an unterminated PEM block', `key: -----BEGIN PRIVATE KEY-----\nMIIEpAIBAAKCAQEA ${PASSWORD}`],
    ['base64 of a PEM block in prose', `helm printed ${KEY_DATA} in its output`],
    ['a database URL in a values line', `dataSource: mysql://root:${PASSWORD}@db:3306/x, password=${PASSWORD}`],
    ['a client secret', `client-secret: ${PASSWORD}`],
    ['a long base64 blob', `data ${'QUJD'.repeat(40)}MIIEpAIBAAKCAQEA end`],
  ];
  for (const [what, text] of cases) {
    it(`redacts ${what}`, () => {
      const redacted = redactSecrets(text);
      assert.notEqual(redacted, text);
      assert.match(redacted, /\[redacted\]/);
      assertNoSecret(redacted, what);
    });
  }

  it('leaves ordinary lines alone: names, namespaces, paths, URLs, statuses, durations', () => {
    const ordinary = [
      '[connect] demo: context vcluster_demo_vcluster-demo_kind-dev → https://127.0.0.1:11234 (portForward) in /home/u/.vscode/vclusters.kubeconfig',
      'mapping of demo: Secret vc-config-demo has no config.yaml; using the chart\'s defaults for what syncs',
      'pod web-5d8f9c7b6-x2k4q-x-default-x-demo Running on kwok-node-0 (10.0.0.12), resourceVersion=123456',
      'helm upgrade --install demo /cache/chart --namespace vcluster-demo --values /w/values.yaml: done in 4.2 s',
      'left out of Secret vc-demo\'s kubeconfig: user.exec, cluster.proxy-url',
      'the token expired; the plugin is asked again',
    ];
    for (const line of ordinary) assert.equal(redactSecrets(line), line);
  });

  it('is fast enough for every line: a 1 MB CLI output in well under a second', () => {
    const big = `${'I1207 02:10:00.000000 1 syncer.go:42] synced pod web-1 to web-1-x-default-x-demo\n'.repeat(12_000)}`;
    const started = performance.now();
    assert.equal(redactSecrets(big), big);
    assert.ok(performance.now() - started < 1000);
  });
});

describe('security: text from a webview or a cluster is one log line', () => {
  it('turns newlines, escape sequences and other control characters into ?', () => {
    assert.equal(printableLine('boom\n[info] forged line\r\u001b[2J\u0007\u2028end'), 'boom?[info] forged line??[2J??end');
    assert.equal(printableLine('plain text: ünïcode ✓ stays'), 'plain text: ünïcode ✓ stays');
  });
});
