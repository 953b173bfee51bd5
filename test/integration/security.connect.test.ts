// A hostile Secret vc-NAME on the real local host: its kubeconfig carries an exec plugin, a gcp
// auth-provider whose cmd-path client-node runs through a shell, and a proxy. The extension's
// Connect (the real connector, the real client-node, the real API server) must connect with the
// certificates alone: no program runs on this machine, no byte goes to the proxy, and the log
// names what was left out.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { KubeClient, kubeConfigForContext } from '../../src/kube/client';
import { loadKubeconfig, type KubeconfigDocument } from '../../src/kube/kubeconfig';
import { MemoryLogger } from '../../src/process/log';
import { connectActions } from './support/connectActions';
import { testHost } from './support/host';
import type { VClusterServices } from '../../src/vcluster/vclusterServices';

const NAMESPACE = `security-${process.pid}`;

/** The host's own CA and admin credentials as data (kwokctl writes them as files). */
function hostCredentials(document: KubeconfigDocument, context: string) {
  const named = document.contexts.find((entry) => entry.name === context)!.context;
  const cluster = document.clusters.find((entry) => entry.name === named.cluster)!.cluster as Record<string, string>;
  const user = document.users.find((entry) => entry.name === named.user)!.user as Record<string, string>;
  const data = (inline: string | undefined, file: string | undefined) => inline ?? Buffer.from(readFileSync(file!)).toString('base64');
  return {
    server: cluster.server!,
    ca: data(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: data(user['client-certificate-data'], user['client-certificate']),
    key: data(user['client-key-data'], user['client-key']),
  };
}

describe('security: a hostile Secret vc-NAME on a real host runs nothing here', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'vcluster-security-'));
  const markers = { exec: join(scratch, 'exec-ran'), gcp: join(scratch, 'gcp-ran') };
  let proxy: Server;
  let proxyConnections = 0;
  let hostClient: KubeClient;
  let actions: VClusterServices;
  let hostContext: string;
  const logger = new MemoryLogger();
  const servers: Record<string, string> = {};
  const connectionsFile = join(scratch, 'vclusters.kubeconfig');

  before(async () => {
    const cluster = testHost();
    const loaded = await loadKubeconfig([cluster.kubeconfig]);
    assert.equal(loaded.state, 'ok');
    if (loaded.state !== 'ok') return;
    hostContext = loaded.contexts[0]!.name;
    hostClient = new KubeClient(kubeConfigForContext(loaded.document, hostContext));
    const host = hostCredentials(loaded.document, hostContext);
    proxy = createServer((socket) => { proxyConnections += 1; socket.destroy(); });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyPort = (proxy.address() as { port: number }).port;

    const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'from-the-plugin' } });
    const hostile = {
      // An exec plugin that would leave a marker and hand over a token.
      'evil-exec': { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/bin/sh', args: ['-c', `touch '${markers.exec}'; printf '%s' '${credential}'`], interactiveMode: 'Never' } },
      // client-node's gcp provider runs cmd-path with cmd-args through a shell (execSync).
      'evil-gcp': { 'auth-provider': { name: 'gcp', config: { 'cmd-path': `touch '${markers.gcp}'; echo`, 'cmd-args': '{}', 'token-key': '{.token}', 'expiry-key': '{.expiry}' } } },
    };
    await hostClient.request('POST', '/api/v1/namespaces', { body: { metadata: { name: NAMESPACE } } }, AbortSignal.timeout(10_000));
    for (const [name, extraUser] of Object.entries(hostile)) {
      const config = stringify({
        apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
        clusters: [{ name: 'c', cluster: { server: 'https://localhost:8443', 'certificate-authority-data': host.ca, 'proxy-url': `http://127.0.0.1:${proxyPort}` } }],
        users: [{ name: 'u', user: { 'client-certificate-data': host.cert, 'client-key-data': host.key, ...extraUser } }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      });
      await hostClient.request('POST', `/api/v1/namespaces/${NAMESPACE}/secrets`, {
        body: { metadata: { name: `vc-${name}` }, data: { config: Buffer.from(config).toString('base64') } },
      }, AbortSignal.timeout(10_000));
      // The connect goes to the host's own API server, which the host's certificate opens.
      servers[`${NAMESPACE}/${name}`] = host.server;
    }
    actions = connectActions({ document: loaded.document, kubeconfigPath: cluster.kubeconfig, connectionsFile, servers, logger });
  });

  after(async () => {
    await hostClient?.request('DELETE', `/api/v1/namespaces/${NAMESPACE}`, {}, AbortSignal.timeout(10_000)).catch(() => undefined);
    proxy?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  for (const name of ['evil-exec', 'evil-gcp'] as const) {
    it(`${name}: Connect uses the certificates only; the plugin never runs, the proxy sees nothing, the log says what was left out`, async () => {
      const connection = await actions.connector.connect({ hostContext, namespace: NAMESPACE, name });
      assert.equal(connection.via, 'setting');
      assert.equal(existsSync(markers.exec), false, 'the exec plugin did not run');
      assert.equal(existsSync(markers.gcp), false, 'the gcp cmd-path did not run');
      assert.equal(proxyConnections, 0, 'nothing went to the proxy-url');
      const written = parse(readFileSync(connectionsFile, 'utf8')) as { clusters: Array<{ name: string; cluster: object }>; users: Array<{ name: string; user: object }> };
      assert.deepEqual(Object.keys(written.users.find((entry) => entry.name === connection.context)!.user).sort(), ['client-certificate-data', 'client-key-data']);
      assert.deepEqual(Object.keys(written.clusters.find((entry) => entry.name === connection.context)!.cluster).sort(), ['certificate-authority-data', 'server']);
      const warning = logger.lines.find((line) => line.startsWith('warn') && line.includes(`Secret vc-${name}`));
      assert.match(warning ?? '', name === 'evil-exec' ? /cluster\.proxy-url, user\.exec/ : /cluster\.proxy-url, user\.auth-provider/);
      assert.doesNotMatch(logger.lines.join('\n'), /from-the-plugin|touch/, 'no value from the Secret is logged');
      // The written context works: the certificate alone reaches the API server.
      const reread = await loadKubeconfig([connectionsFile]);
      assert.equal(reread.state, 'ok');
      if (reread.state !== 'ok') return;
      const reached = new KubeClient(kubeConfigForContext(reread.document, connection.context));
      assert.ok((await reached.getJson<{ gitVersion: string }>('/version', {}, AbortSignal.timeout(10_000))).gitVersion);
    });
  }
});
