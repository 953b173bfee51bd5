import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { hostName } from '../../src/vcluster/mapping/hostNames';
import { waitFor } from '../integration/support/host';
import { openVClusterWorkbench, type VClusterWorkbench } from './harness/vclusterWorkbench';
import type { Workbench } from './harness/workbench';
import { scaleDeployment } from '../env/virtualWorkloads';
import { noteTestResult } from './harness/extensionLog';

/**
 * The syncer mapping in a real VS Code: a vCluster made by the real CLI and chart, with the real
 * syncer running locally, on the real host. A Deployment created inside the virtual cluster
 * becomes host pods under the syncer's names; the tree shows each pod beside its host name, and
 * follows a scale-up live (watches, no refresh).
 */
describe('the syncer mapping in the tree', () => {
  const name = 'tree';
  const namespace = `vcluster-tree-${process.pid}`;
  let session: VClusterWorkbench | undefined;
  let workbench: Workbench | undefined;
  let virtualApps: AppsV1Api;
  let hostCore: CoreV1Api;
  const view = 'Clusters';

  before(async () => {
    session = await openVClusterWorkbench({ name, namespace, screenshotPrefix: 'mapping' });
    workbench = session.workbench;
    virtualApps = session.virtualConfig.makeApiClient(AppsV1Api);
    hostCore = session.hostConfig.makeApiClient(CoreV1Api);
  });

  afterEach(noteTestResult);

  after(async () => {
    await session?.close();
  });

  async function hostPods(): Promise<string[]> {
    const pods = await hostCore.listNamespacedPod({ namespace, labelSelector: 'vcluster.loft.sh/managed-by=tree' });
    // The Deployment's pods only (the syncer also runs the virtual cluster's CoreDNS on the host).
    return pods.items.map((pod) => pod.metadata?.name ?? '').filter((podName) => podName.startsWith('web-')).sort();
  }

  it('expanding the vCluster shows a virtual pod beside the host pod the syncer made of it', async () => {
    await virtualApps.createNamespacedDeployment({ namespace: 'default', body: {
      metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    } });
    await waitFor('the syncer to create the host pod', 60_000, async () => ((await hostPods()).length === 1 ? true : undefined));
    const wb = workbench!;
    await wb.openViewContainer('vCluster');
    await wb.waitForTreeRow(view, name, 30_000);
    await wb.expandTreeRow(view, name);
    await wb.waitForTreeRow(view, 'default', 30_000);
    await wb.expandTreeRow(view, 'default');
    await wb.waitForTreeRow(view, 'Pod', 30_000);
    await wb.expandTreeRow(view, 'Pod');
    const rows = await wb.waitForTreeRow(view, /^web-/, 30_000);
    const pod = rows.find((row) => row.label.startsWith('web-'))!;
    assert.equal(pod.description, `→ ${hostName(pod.label, 'default', name)}`);
    assert.deepEqual(await hostPods(), [hostName(pod.label, 'default', name)], 'the name shown is the host pod\'s real name');
    await wb.screenshot('mapping-pod-pair');
  });

  it('follows the virtual cluster live: a scale-up shows the new pod without a refresh', async () => {
    await scaleDeployment(virtualApps, 'web', 2);
    const scaled = Date.now();
    await waitFor('a second host pod', 60_000, async () => ((await hostPods()).length === 2 ? true : undefined), 100);
    const hostPodSeen = Date.now();
    const wb = workbench!;
    const rows = await waitFor('two pod pairs in the tree', 30_000, async () => {
      const current = await wb.treeRows(view);
      return current.filter((row) => row.label.startsWith('web-')).length === 2 ? current : undefined;
    }, 100);
    // Measured, not asserted (timing goals belong to `npm run bench`): host pod → tree row.
    console.log(`[mapping e2e] scale-up to host pod: ${hostPodSeen - scaled} ms; host pod to its row in the tree: ${Date.now() - hostPodSeen} ms`);
    const shown = rows.filter((row) => row.label.startsWith('web-')).map((row) => row.description.replace(/^→ /, '')).sort();
    assert.deepEqual(shown, await hostPods());
    await wb.screenshot('mapping-live-scale');
  });

  it('opens the host side of a pair as read-only YAML with the syncer\'s markers, and compares both sides', async () => {
    const wb = workbench!;
    const pod = (await wb.treeRows(view)).find((row) => row.label.startsWith('web-'))!;
    await wb.runContextMenuItem(view, pod.label, 'Open Host YAML');
    const text = await waitFor('the host YAML', 30_000, async () => {
      const shown = await wb.activeEditorText().catch(() => '');
      return shown.includes('vcluster.loft.sh/object-name') ? shown : undefined;
    }, 250);
    assert.match(text, new RegExp(`name: ${hostName(pod.label, 'default', name)}`));
    assert.match(text, new RegExp(`vcluster.loft.sh/object-name: ${pod.label}`));
    assert.match(await wb.activeTabTitle(), new RegExp(`^${hostName(pod.label, 'default', name)}\\.yaml`));
    await wb.screenshot('mapping-host-yaml');
    // Without a connection the virtual side cannot be read: the document says how to get it.
    await wb.runContextMenuItem(view, pod.label, 'Compare Virtual and Host');
    const title = await waitFor('the diff editor', 30_000, async () => {
      const shown = await wb.activeTabTitle().catch(() => '');
      return shown.includes('↔') ? shown : undefined;
    }, 250);
    assert.equal(title, `${pod.label} ↔ ${hostName(pod.label, 'default', name)} (virtual ↔ host)`);
    await wb.screenshot('mapping-compare');
  });
});
