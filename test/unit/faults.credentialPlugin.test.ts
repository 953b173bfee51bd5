// A slow or hung exec credential plugin must not outlast the request that needs it: the request
// settles at its own timeout and the plugin is killed. Real plugin processes (node scripts), the
// real client-node ExecAuth, a real HTTP server on 127.0.0.1.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeClient, kubeConfigForContext } from '../../src/kube/client';
import type { KubeconfigDocument } from '../../src/kube/kubeconfig';

function documentWith(server: string, user: Record<string, unknown>): KubeconfigDocument {
  return {
    // client-node refuses plain HTTP unless TLS checks are off; the server is a local test one.
    clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
  } as unknown as KubeconfigDocument;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The plugin whose pid is in `pidFile` is gone within 2 s. */
async function assertPluginGone(pidFile: string): Promise<void> {
  const pid = Number(readFileSync(pidFile, 'utf8'));
  const deadline = Date.now() + 2000;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(alive(pid), false, 'the plugin process is gone');
}

describe('faults: a credential plugin is bounded by its request', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'vcluster-plugin-'));
  let server: Server;
  let url: string;
  let authorizations: string[] = [];

  before(async () => {
    server = createServer((request, response) => {
      authorizations.push(request.headers.authorization ?? '');
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ gitVersion: 'v1.36.3' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => {
    server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A plugin that records its pid, waits `delayMs`, then prints a token. */
  function plugin(name: string, delayMs: number): { user: Record<string, unknown>; pidFile: string } {
    const pidFile = join(scratch, `${name}.pid`);
    const script = join(scratch, `${name}.js`);
    writeFileSync(script, `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
setTimeout(() => console.log(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: ${JSON.stringify(name)} } })), ${delayMs});`);
    return { user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [script], interactiveMode: 'Never' } }, pidFile };
  }

  it('a quick plugin still works: its token is sent', async () => {
    authorizations = [];
    const { user } = plugin('quick', 0);
    const client = new KubeClient(kubeConfigForContext(documentWith(url, user), 'ctx'));
    assert.deepEqual(await client.getJson('/version', {}, AbortSignal.timeout(10_000)), { gitVersion: 'v1.36.3' });
    assert.deepEqual(authorizations, ['Bearer quick']);
  });

  it('a plugin sleeping 8 s: a 500 ms request settles in under 1.5 s and the plugin is killed', async () => {
    authorizations = [];
    const { user, pidFile } = plugin('slow', 8000);
    const client = new KubeClient(kubeConfigForContext(documentWith(url, user), 'ctx'));
    const started = performance.now();
    await assert.rejects(client.getJson('/version', {}, AbortSignal.timeout(500)), (error: Error) => error.name === 'TimeoutError' || error.name === 'AbortError');
    const took = performance.now() - started;
    assert.ok(took < 1500, `settled after ${Math.round(took)} ms`);
    await assertPluginGone(pidFile);
    assert.deepEqual(authorizations, [], 'no request went out without its credentials');
  });

  it('a request cancelled while its plugin runs: cancelled at once, plugin killed', async () => {
    const { user, pidFile } = plugin('cancelled', 60_000);
    const client = new KubeClient(kubeConfigForContext(documentWith(url, user), 'ctx'));
    const controller = new AbortController();
    const request = client.getJson('/version', {}, controller.signal);
    const deadline = Date.now() + 5000;
    while (!existsSync(pidFile) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const abortedAt = performance.now();
    controller.abort();
    await assert.rejects(request, (error: Error) => error.name === 'AbortError');
    assert.ok(performance.now() - abortedAt < 1000, `settled ${Math.round(performance.now() - abortedAt)} ms after the cancel`);
    await assertPluginGone(pidFile);
  });

  it('outside any request (client-node\'s port-forward asks for credentials itself): a hung plugin is still bounded and killed', async () => {
    const { user, pidFile } = plugin('portforward', 60_000);
    const config = kubeConfigForContext(documentWith(url, user), 'ctx', { credentialPluginTimeoutMs: 500 });
    const started = performance.now();
    // What client-node's WebSocket handler (port-forward) does before it connects.
    await assert.rejects(config.applyToHTTPSOptions({}));
    const took = performance.now() - started;
    assert.ok(took < 2000, `settled after ${Math.round(took)} ms`);
    await assertPluginGone(pidFile);
  });

  it('refuses the gcp and azure auth-providers (kubectl removed them; client-node runs them through a shell, blocking)', () => {
    for (const name of ['gcp', 'azure']) {
      assert.throws(() => kubeConfigForContext(documentWith(url, { 'auth-provider': { name, config: { 'cmd-path': 'touch /tmp/x' } } }), 'ctx'), new RegExp(`"${name}" auth-provider, which kubectl no longer supports`));
    }
  });
});
