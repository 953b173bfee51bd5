import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { startCodeServer, type RunningCodeServer } from '../../scripts/lib/codeServer';
import { testHostKubeconfig, waitFor } from '../integration/support/host';
import { ensureVClusterBinaries } from '../env/vclusterBinaries';
import { TempDir } from '../unit/builders/kubeconfig';
import { Workbench, type TreeRow } from './harness/workbench';
import { dumpExtensionLog, noteTestResult } from './harness/extensionLog';

/**
 * A vCluster's whole life from the palette, in a real VS Code against the real local host (a
 * kube-apiserver built here, kwok nodes) with the real helm and vcluster chart: create → Running
 * → pause → Paused → resume → Running → delete → gone. kwok runs the vCluster's pod (no syncer
 * inside), so Running is the pod's status as `vcluster list` reads it.
 */
describe('vCluster lifecycle from the palette', () => {
  const dir = new TempDir();
  const name = 'life';
  const namespace = `vcluster-${name}`;
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
    const binaries = await ensureVClusterBinaries();
    const workspace = join(dir.path, 'workspace');
    mkdirSync(workspace);
    // A values file in the workspace, as a user keeps one: no volume claim (a kwok host has no
    // storage, and without one the chart makes a Deployment), the proxy on loopback, no telemetry
    // (this machine is offline).
    writeFileSync(join(workspace, 'kwok-values.yaml'), stringify({
      telemetry: { enabled: false },
      controlPlane: { proxy: { bindAddress: '127.0.0.1' }, statefulSet: { persistence: { volumeClaim: { enabled: false } } } },
    }));
    server = await startCodeServer({
      workspaceFolder: workspace,
      env: { KUBECONFIG: kubeconfig },
      settings: {
        // helm installs here: the CLI would write its settings under the machine user's HOME.
        'vcluster.provisioner': 'helm',
        'vcluster.helmPath': binaries.helm,
        'vcluster.vclusterPath': binaries.vcluster,
        'vcluster.chart.localDir': binaries.chartDir,
      },
    });
    workbench = await Workbench.open(server.url, workspace);
  });

  afterEach(noteTestResult);

  after(async () => {
    if (workbench) {
      await workbench.screenshot('lifecycle-final').catch(() => undefined);
      await workbench.close();
    }
    dumpExtensionLog(server, 80);
    await server?.stop();
    await kubeConfig.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace }).catch(() => undefined);
    dir.remove();
  });

  async function rowOf(pattern: RegExp, timeoutMs = 90_000): Promise<TreeRow> {
    const wb = workbench!;
    return waitFor(`tree row ${name} matching ${pattern}`, timeoutMs, async () => {
      const row = (await wb.treeRows(view)).find((candidate) => candidate.label === name);
      // No manual refresh: after each action the extension follows the vCluster until it settles.
      return row && pattern.test(row.description) ? row : undefined;
    }, 500);
  }

  it('creates a vCluster from the palette: host, name, namespace, values file, chart and Kubernetes versions; it shows Running', async () => {
    const wb = workbench!;
    await wb.openViewContainer('vCluster');
    await wb.runCommand('vCluster: Create vCluster…');
    await wb.answerQuickPick(context, /^Create vCluster/);
    await wb.answerInputBox(name, /\(1\/5\)/);
    await wb.answerInputBox(namespace, /\(2\/5\): namespace/);
    await wb.answerQuickPick('kwok-values.yaml', /\(3\/5\): values/);
    await wb.answerInputBox('', /\(4\/5\): chart version/);
    await wb.answerInputBox('1.33.2', /\(5\/5\): Kubernetes version/);
    await wb.waitForNotification(new RegExp(`vCluster ${name} was created in ${namespace} on ${context} \\(with helm\\)`), 120_000);
    const row = await rowOf(/^Running · /);
    assert.equal(row.description, `Running · ${namespace} · 0.36.1`);
    const workload = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace, name });
    assert.equal(workload.metadata?.labels?.release, name);
    const images = (workload.spec?.template.spec?.initContainers ?? []).map((container) => container.image ?? '');
    assert.ok(images.some((image) => image.endsWith('/kubernetes:v1.33.2')), `the Kubernetes version typed is the control plane's: ${images.join(', ')}`);
    await wb.screenshot('lifecycle-1-created-running');
  });

  it('pauses it from the tree\'s menu, which offers what fits a Running vCluster: Paused, scaled to 0 with the CLI\'s annotations', async () => {
    const wb = workbench!;
    const items = await wb.contextMenuItems(view, name);
    for (const offered of ['Connect to vCluster', 'Pause vCluster', 'Upgrade vCluster…', 'Delete vCluster…']) assert.ok(items.includes(offered), `${offered} in ${JSON.stringify(items)}`);
    for (const hidden of ['Resume vCluster', 'Disconnect from vCluster']) assert.ok(!items.includes(hidden), `${hidden} not in ${JSON.stringify(items)}`);
    await wb.runContextMenuItem(view, name, 'Pause vCluster');
    await rowOf(/^Paused · /);
    const workload = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace, name });
    assert.equal(workload.spec?.replicas, 0);
    assert.equal(workload.metadata?.annotations?.['loft.sh/paused'], 'true');
    await wb.screenshot('lifecycle-2-paused');
    const pausedItems = await wb.contextMenuItems(view, name);
    assert.ok(pausedItems.includes('Resume vCluster') && !pausedItems.includes('Pause vCluster') && !pausedItems.includes('Connect to vCluster'), JSON.stringify(pausedItems));
  });

  it('resumes it: Running again', async () => {
    const wb = workbench!;
    await wb.runCommand('vCluster: Resume vCluster');
    await wb.answerQuickPick(name, /^Resume vCluster/);
    await rowOf(/^Running · /);
    const workload = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace, name });
    assert.equal(workload.spec?.replicas, 1);
    await wb.screenshot('lifecycle-3-resumed');
  });

  it('deletes it after a confirmation naming what goes: gone from the tree and the host', async () => {
    const wb = workbench!;
    await wb.runCommand('vCluster: Delete vCluster…');
    await wb.answerQuickPick(name, /^Delete vCluster/);
    const detail = await wb.confirmDialog('Delete');
    assert.match(detail, new RegExp(`Helm release ${name} in namespace ${namespace}`));
    assert.match(detail, new RegExp(`namespace ${namespace}, which was created for it`));
    await waitFor(`${name} gone from the tree`, 90_000, async () => {
      const rows = await wb.treeRows(view);
      return rows.some((row) => row.label === name) ? undefined : true;
    }, 500);
    const gone = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace, name }).then(() => false, () => true);
    assert.ok(gone, 'the StatefulSet is gone from the host');
    await wb.screenshot('lifecycle-4-deleted');
  });
});
