import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { waitFor } from '../integration/support/host';
import { extensionLogText, noteTestResult } from './harness/extensionLog';
import { openVClusterWorkbench, type VClusterWorkbench } from './harness/vclusterWorkbench';

/**
 * *Show vCluster Logs* in a real VS Code: a vCluster made by the real CLI and chart on the real
 * host (its syncer run by the node agent, its log served through the API server and kwok as
 * kubelet would), the command run from the tree row's menu, the syncer's own lines in an editor
 * tab; closing the tab stops the stream.
 */
describe('vCluster logs in an editor tab', () => {
  const name = 'logged';
  const namespace = `vcluster-logged-${process.pid}`;
  const view = 'Clusters';
  let session: VClusterWorkbench | undefined;

  before(async () => {
    session = await openVClusterWorkbench({ name, namespace, screenshotPrefix: 'vcluster-logs' });
  });

  afterEach(noteTestResult);

  after(async () => {
    await session?.close();
  });

  it('opens the syncer\'s log from the tree, following it, and stops reading when the tab closes', async () => {
    const wb = session!.workbench;
    await wb.openViewContainer('vCluster');
    await waitFor(`the row ${name} Running`, 120_000, async () => ((await wb.treeRows(view)).find((row) => row.label === name && /^Running/.test(row.description)) ? true : undefined), 250);
    await wb.runContextMenuItem(view, name, 'Show vCluster Logs');
    // When the chart's pod runs more than the syncer, a pick asks which container.
    const pod = await session!.hostConfig.makeApiClient(CoreV1Api).readNamespacedPod({ namespace, name: `${name}-0` });
    const containers = (pod.spec?.containers?.length ?? 0) + (pod.spec?.initContainers?.length ?? 0);
    if (containers > 1) await wb.answerQuickPick('syncer', /Show vCluster Logs/);
    await waitFor('the log tab', 30_000, async () => ((await wb.activeTabTitle().catch(() => '')) === 'syncer.log' ? true : undefined), 250);
    // The syncer's own log (klog/zap lines naming its components), not a placeholder.
    const text = await waitFor('the syncer\'s lines in the tab', 60_000, async () => {
      const shown = await wb.activeEditorText().catch(() => '');
      return /component|syncer|controller/i.test(shown) && !/^\[reading the log…\]/.test(shown) ? shown : undefined;
    }, 250);
    assert.doesNotMatch(text, /cannot be read/);
    // It opens at the end of the log, as `kubectl logs -f` does: the first line is out of view.
    await waitFor('the tab to show the end of the log', 15_000, async () => (!(await wb.activeEditorText()).includes('vCluster version') ? true : undefined), 250);
    await wb.screenshot('vcluster-logs-tab');
    const server = session!.server;
    assert.match(extensionLogText(server), new RegExp(`\\[logs\\] following ${namespace}/${name}-0 syncer`));

    await wb.page.keyboard.press('Control+W');
    await waitFor('the extension to stop reading the closed tab\'s log', 30_000, async () => (/\[logs\] stopped following \/vcluster-logged-\d+\/logged-0\/syncer\.log/.test(extensionLogText(server)) ? true : undefined), 250);
  });
});
