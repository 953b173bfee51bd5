import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { versions } from '../../scripts/lib/versions.mjs';
import { ensureVClusterBinaries } from '../env/vclusterBinaries';
import { createVCluster, vclusterCli } from '../env/vclusterFixture';
import { TempDir } from '../unit/builders/kubeconfig';
import { startCodeServer, type RunningCodeServer } from '../../scripts/lib/codeServer';
import { testHostKubeconfig, waitFor } from '../integration/support/host';
import { Workbench } from './harness/workbench';
import { dumpExtensionLog, noteTestResult } from './harness/extensionLog';

/**
 * The extension in a real VS Code against the real local host cluster the tier starts (a
 * kube-apiserver built here, kwok nodes): what `npm start` gives a user. Discovery goes through
 * the extension's own client with the host's client certificates.
 */
describe('the extension against the real local host cluster', () => {
  const dir = new TempDir();
  const namespace = `e2e-vcluster-${process.pid}`;
  let server: RunningCodeServer | undefined;
  let workbench: Workbench | undefined;
  let kubeConfig: KubeConfig;
  let context: string;
  const view = 'Clusters';

  before(async () => {
    const kubeconfig = testHostKubeconfig();
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfig);
    context = kubeConfig.getCurrentContext();
    const workspace = join(dir.path, 'workspace');
    mkdirSync(workspace);
    server = await startCodeServer({ workspaceFolder: workspace, env: { KUBECONFIG: kubeconfig } });
    workbench = await Workbench.open(server.url, workspace);
  });

  afterEach(noteTestResult);

  after(async () => {
    if (workbench) {
      await workbench.screenshot('host-final').catch(() => undefined);
      await workbench.close();
    }
    dumpExtensionLog(server, 80);
    await server?.stop();
    await kubeConfig.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace }).catch(() => undefined);
    dir.remove();
  });

  it('reaches the host and, finding no vClusters, shows the "No vClusters yet" welcome', async () => {
    const wb = workbench!;
    await wb.openViewContainer('vCluster');
    const text = await waitFor('the no-vClusters welcome', 30_000, async () => {
      const welcome = await wb.welcomeText(view);
      return /No vClusters yet/.test(welcome) ? welcome : undefined;
    });
    assert.match(text, /None was found on the reachable contexts/);
    await wb.screenshot('host-no-vclusters');
  });

  it('lists a vCluster the real CLI created, with the status and version `vcluster list` shows', async () => {
    // `vcluster create` (built here) installs the module's chart with helm; kwok runs its pod.
    const binaries = await ensureVClusterBinaries();
    const cli = vclusterCli(binaries, testHostKubeconfig());
    let listed: { Status: string; Version: string };
    try {
      await createVCluster(cli, binaries, 'demo', namespace);
      listed = await waitFor('vcluster list to show it Running', 60_000, async () => {
        const entries = JSON.parse((await cli.run(['list', '--output', 'json'])).stdout) as Array<{ Name: string; Namespace: string; Status: string; Version: string }>;
        const entry = entries.find((candidate) => candidate.Name === 'demo' && candidate.Namespace === namespace);
        return entry?.Status === 'Running' ? entry : undefined;
      });
    } finally {
      cli.dispose();
    }

    const wb = workbench!;
    await wb.runCommand('vCluster: Refresh');
    const rows = await wb.waitForTreeRow(view, 'demo', 30_000);
    const host = rows.find((row) => row.label === context);
    assert.equal(host?.description, 'current · 1 vCluster');
    const vcluster = rows.find((row) => row.label === 'demo');
    assert.equal(vcluster?.description, `${listed.Status} · ${namespace} · ${listed.Version}`);
    assert.equal(listed.Version, versions.vcluster.replace(/^v/, ''));
    assert.equal(vcluster?.level, 2);
    await wb.screenshot('host-one-vcluster');
    assert.match(readFileSync(testHostKubeconfig(), 'utf8'), /server: https:\/\/127\.0\.0\.1:\d+/);
  });
});
