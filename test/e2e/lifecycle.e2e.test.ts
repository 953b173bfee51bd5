import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startCodeServer, type RunningCodeServer } from '../../scripts/lib/codeServer';
import { testHost, testHostKubeconfig, waitFor } from '../integration/support/host';
import { cachedHostBinaries } from '../env/hostBinaries';
import { podSyncerDir } from '../env/vclusterFixture';
import { inTerminal } from './harness/terminal';
import { ensureVClusterBinaries } from '../env/vclusterBinaries';
import { TempDir } from '../unit/builders/kubeconfig';
import { Workbench, type TreeRow } from './harness/workbench';
import { dumpExtensionLog, extensionLogText, noteTestResult } from './harness/extensionLog';

/**
 * A vCluster's whole life from the palette, end to end, in a real VS Code against the real local
 * host (a kube-apiserver built here, kwok nodes) with the real helm and vcluster chart and its
 * defaults: create → Running → Connect (the extension's own port-forward) → Use in This Workspace
 * → `kubectl create deployment` typed in the window's terminal → its pods' pairs in the tree →
 * pause → Paused → resume → Running, the Deployment still there → delete → gone. The host's node
 * agent runs the real syncer of the vCluster's pod; nothing is set up behind the extension's back.
 */
describe('vCluster lifecycle from the palette', () => {
  const dir = new TempDir();
  const name = 'life';
  const namespace = `vcluster-${name}`;
  let server: RunningCodeServer | undefined;
  let workbench: Workbench | undefined;
  let kubeConfig: KubeConfig;
  let context: string;
  let folder: string;
  const view = 'Clusters';

  before(async () => {
    const kubeconfig = testHostKubeconfig();
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfig);
    context = kubeConfig.getCurrentContext();
    const binaries = await ensureVClusterBinaries();
    const workspace = join(dir.path, 'workspace');
    mkdirSync(workspace);
    folder = workspace;
    server = await startCodeServer({
      workspaceFolder: workspace,
      // kubectl of the host's version in the window's terminals, as `npm start` provides it.
      env: { KUBECONFIG: kubeconfig, PATH: `${dirname(cachedHostBinaries()!.kubectl)}${delimiter}${process.env.PATH ?? ''}` },
      settings: {
        // helm installs here: the CLI would write its settings under the machine user's HOME.
        'vcluster.provisioner': 'helm',
        'vcluster.helmPath': binaries.helm,
        'vcluster.vclusterPath': binaries.vcluster,
        'vcluster.chart.localDir': binaries.chartDir,
        // The DOM renderer keeps the terminal's text in the page (inTerminal reads the prompt).
        'terminal.integrated.gpuAcceleration': 'off',
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

  it('creates a vCluster from the palette with the chart\'s defaults (no values file): host, name, namespace, chart and Kubernetes versions; it shows Running', async () => {
    const wb = workbench!;
    await wb.openViewContainer('vCluster');
    await wb.runCommand('vCluster: Create vCluster…');
    await wb.answerQuickPick(context, /^Create vCluster/);
    await wb.answerInputBox(name, /\(1\/5\)/);
    await wb.answerInputBox(namespace, /\(2\/5\): namespace/);
    await wb.answerQuickPick('No values file', /\(3\/5\): values/);
    await wb.answerInputBox('', /\(4\/5\): chart version/);
    await wb.answerInputBox('1.33.2', /\(5\/5\): Kubernetes version/);
    await wb.waitForNotification(new RegExp(`vCluster ${name} was created in ${namespace} on ${context} \\(with helm\\)`), 120_000);
    const row = await rowOf(/^Running · /);
    assert.equal(row.description, `Running · ${namespace} · 0.36.1`);
    const workload = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedStatefulSet({ namespace, name });
    assert.equal(workload.metadata?.labels?.release, name);
    const images = (workload.spec?.template.spec?.initContainers ?? []).map((container) => container.image ?? '');
    assert.ok(images.some((image) => image.endsWith('/kubernetes:v1.33.2')), `the Kubernetes version typed is the control plane's: ${images.join(', ')}`);
    const claim = await kubeConfig.makeApiClient(CoreV1Api).readNamespacedPersistentVolumeClaim({ namespace, name: `data-${name}-0` });
    assert.equal(claim.status?.phase, 'Bound', 'the chart\'s default volume claim is bound by the host\'s provisioner');
    await wb.screenshot('lifecycle-1-created-running');
  });

  it('connects from the tree with its own port-forward, uses it in this workspace, and a Deployment typed in the terminal shows up as pod pairs', async () => {
    const wb = workbench!;
    // The syncer takes a few seconds after the pod runs; a connect before it answers says so, and
    // the user tries again — as here, until the row says connected.
    await waitFor('Connect to succeed', 120_000, async () => {
      const row = (await wb.treeRows(view)).find((candidate) => candidate.label === name);
      if (row && / · connected$/.test(row.description)) return true;
      if ((await wb.contextMenuItems(view, name)).includes('Connect to vCluster')) await wb.runContextMenuItem(view, name, 'Connect to vCluster');
      return undefined;
    }, 3_000);
    // The extension's own port-forward, no setting (its output log says how it connected).
    assert.match(extensionLogText(server!), new RegExp(`\\[connect\\] ${name}: context vcluster_${name}_${namespace}_\\S+ → https://127\\.0\\.0\\.1:\\d+ \\(portForward\\)`));
    await wb.runContextMenuItem(view, name, 'Use in This Workspace');
    const vclusterContext = `vcluster_${name}_${namespace}_${context}`;
    assert.equal(await waitFor('the terminal to use the vCluster', 60_000, async () => {
      const current = await inTerminal(wb, folder, 'kubectl config current-context');
      return current === vclusterContext ? current : undefined;
    }, 1_000), vclusterContext);
    assert.match(await inTerminal(wb, folder, 'kubectl create deployment web --image=nginx --replicas=2'), /deployment\.apps\/web created/);
    await wb.expandTreeRow(view, name);
    await wb.waitForTreeRow(view, 'default', 60_000);
    await wb.expandTreeRow(view, 'default');
    await wb.waitForTreeRow(view, 'Pod', 60_000);
    await wb.expandTreeRow(view, 'Pod');
    const rows = await waitFor('two pod pairs with their host names', 90_000, async () => {
      const current = (await wb.treeRows(view)).filter((row) => row.label.startsWith('web-'));
      return current.length === 2 && current.every((row) => row.description === `→ ${row.label}-x-default-x-${name}`) ? current : undefined;
    }, 500);
    const hostPods = (await kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: `vcluster.loft.sh/managed-by=${name}` })).items.map((pod) => pod.metadata?.name ?? '');
    for (const row of rows) assert.ok(hostPods.includes(`${row.label}-x-default-x-${name}`), `${row.label}'s host pod exists on the host`);
    await wb.expandTreeRow(view, name);
    await wb.screenshot('lifecycle-2-connected-pairs');
  });

  it('pauses it from the tree\'s menu, which offers what fits a Running vCluster: Paused, scaled to 0 with the CLI\'s annotations, its syncer gone', async () => {
    const wb = workbench!;
    const items = await wb.contextMenuItems(view, name);
    for (const offered of ['Pause vCluster', 'Upgrade vCluster…', 'Delete vCluster…']) assert.ok(items.includes(offered), `${offered} in ${JSON.stringify(items)}`);
    assert.ok(!items.includes('Resume vCluster'), `Resume vCluster not in ${JSON.stringify(items)}`);
    await wb.runContextMenuItem(view, name, 'Pause vCluster');
    await rowOf(/^Paused · /);
    const workload = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedStatefulSet({ namespace, name });
    assert.equal(workload.spec?.replicas, 0);
    assert.equal(workload.metadata?.annotations?.['loft.sh/paused'], 'true');
    await waitFor('the node agent to stop its syncer', 60_000, async () => (existsSync(podSyncerDir(testHost().name, namespace, name)) ? undefined : true), 500);
    await wb.screenshot('lifecycle-3-paused');
    const pausedItems = await wb.contextMenuItems(view, name);
    assert.ok(pausedItems.includes('Resume vCluster') && !pausedItems.includes('Pause vCluster') && !pausedItems.includes('Connect to vCluster'), JSON.stringify(pausedItems));
  });

  it('resumes it: Running again, and the Deployment made before the pause is still there', async () => {
    const wb = workbench!;
    await wb.runCommand('vCluster: Resume vCluster');
    await wb.answerQuickPick(name, /^Resume vCluster/);
    await rowOf(/^Running · /);
    const workload = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedStatefulSet({ namespace, name });
    assert.equal(workload.spec?.replicas, 1);
    // The window's context reconnects through a new port-forward to the new pod.
    const deployments = await waitFor('the virtual cluster to answer in the terminal again', 120_000, async () => {
      const listed = await inTerminal(wb, folder, 'kubectl get deployments -o name --request-timeout=5s');
      return listed.includes('deployment.apps/web') ? listed : undefined;
    }, 2_000);
    assert.match(deployments, /deployment\.apps\/web/);
    await wb.screenshot('lifecycle-4-resumed');
  });

  it('deletes it after a confirmation naming what goes: gone from the tree and the host, its syncer and volume too', async () => {
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
    const gone = await kubeConfig.makeApiClient(AppsV1Api).readNamespacedStatefulSet({ namespace, name }).then(() => false, () => true);
    assert.ok(gone, 'the StatefulSet is gone from the host');
    await waitFor('the node agent to stop its syncer', 60_000, async () => (existsSync(podSyncerDir(testHost().name, namespace, name)) ? undefined : true), 500);
    await wb.screenshot('lifecycle-5-deleted');
  });
});
