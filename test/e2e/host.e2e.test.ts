import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { TempDir } from '../unit/builders/kubeconfig';
import { startCodeServer, type RunningCodeServer } from '../../scripts/lib/codeServer';
import { testHostKubeconfig, waitFor } from '../integration/support/host';
import { Workbench } from './harness/workbench';

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

  after(async () => {
    if (workbench) {
      await workbench.screenshot('host-final').catch(() => undefined);
      await workbench.close();
    }
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

  it('lists a vCluster-shaped workload on the host with the status its kwok-run pod reports', async () => {
    // Not a real vCluster (that is the next fixture): a StatefulSet labelled the way the chart
    // labels one (app=vcluster, release=NAME), whose pod kwok runs. Discovery only reads these.
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const labels = { app: 'vcluster', release: 'demo' };
    await apps.createNamespacedStatefulSet({
      namespace,
      body: {
        metadata: { name: 'demo', labels },
        spec: {
          serviceName: 'demo-headless',
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: 'syncer', image: 'ghcr.io/loft-sh/vcluster-oss:0.26.0' }] },
          },
        },
      },
    });
    await waitFor('the pod to run', 60_000, async () => {
      const pods = await core.listNamespacedPod({ namespace, labelSelector: 'release=demo' });
      return pods.items.some((pod) => pod.status?.phase === 'Running') ? true : undefined;
    });

    const wb = workbench!;
    await wb.runCommand('vCluster: Refresh');
    const rows = await wb.waitForTreeRow(view, 'demo', 30_000);
    const host = rows.find((row) => row.label === context);
    assert.equal(host?.description, 'current · 1 vCluster');
    const vcluster = rows.find((row) => row.label === 'demo');
    assert.equal(vcluster?.description, `Running · ${namespace} · 0.26.0`);
    assert.equal(vcluster?.level, 2);
    await wb.screenshot('host-one-vcluster');
    assert.match(readFileSync(testHostKubeconfig(), 'utf8'), /server: https:\/\/127\.0\.0\.1:\d+/);
  });
});
