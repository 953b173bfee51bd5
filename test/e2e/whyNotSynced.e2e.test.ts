import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { FrameLocator } from 'playwright-core';
import { waitFor } from '../integration/support/host';
import { noteTestResult } from './harness/extensionLog';
import { openVClusterWorkbench, type VClusterWorkbench } from './harness/vclusterWorkbench';

/**
 * "Why is it not synced?" in a real VS Code against the real thing: a real vCluster (real CLI,
 * chart, syncer), a host ResourceQuota that really refuses the syncer's pod, the SyncError event
 * the real syncer writes. The inspector shows the pair as a sync error with its Warning event and
 * badge, "Why Not Synced?" names the cause, and a pod pair's logs open from either side.
 */
describe('why is it not synced, events and pod logs in a real VS Code', () => {
  const name = 'whye';
  const namespace = `vcluster-whye-${process.pid}`;
  const view = 'Clusters';
  const title = `Mapping: ${name}`;
  let session: VClusterWorkbench | undefined;
  let virtualCore: CoreV1Api;
  let hostCore: CoreV1Api;

  const podBody = (podName: string) => ({ metadata: { name: podName }, spec: { containers: [{ name: 'app', image: 'busybox' }] } });
  const rowStatus = (frame: FrameLocator, id: string) => frame.locator(`.viewport .row[data-id="${id}"] .col-status`).innerText({ timeout: 1_000 }).catch(() => '');

  before(async () => {
    session = await openVClusterWorkbench({ name, namespace, screenshotPrefix: 'why-not-synced' });
    virtualCore = session.virtualConfig.makeApiClient(CoreV1Api);
    hostCore = session.hostConfig.makeApiClient(CoreV1Api);
    // One pod the host accepts (for its logs), then a quota at what the namespace holds, so the
    // next pod the syncer makes is refused by the host.
    await virtualCore.createNamespacedPod({ namespace: 'default', body: podBody('logged') });
    await waitFor('the host pod of "logged"', 60_000, async () => ((await hostCore.listNamespacedPod({ namespace })).items.some((pod) => pod.metadata?.name === `logged-x-default-x-${name}`) ? true : undefined));
    const used = (await hostCore.listNamespacedPod({ namespace })).items.length;
    await hostCore.createNamespacedResourceQuota({ namespace, body: { metadata: { name: 'capped' }, spec: { hard: { pods: String(used) } } } });
    await waitFor('the quota counted', 30_000, async () => ((await hostCore.readNamespacedResourceQuota({ namespace, name: 'capped' })).status?.used?.pods === String(used) ? true : undefined));
  });

  afterEach(noteTestResult);

  after(async () => {
    await session?.close();
  });

  it('shows a pod the host refuses as a sync error, with its Warning event and badge, live', async () => {
    const wb = session!.workbench;
    await wb.openViewContainer('vCluster');
    await wb.waitForTreeRow(view, name, 60_000);
    await wb.runContextMenuItem(view, name, 'Connect to vCluster');
    await waitFor('the vCluster connected', 30_000, async () => ((await wb.treeRows(view)).find((row) => row.label === name)?.description.includes('connected') ? true : undefined), 250);
    await wb.runContextMenuItem(view, name, 'Open Mapping Inspector');
    await waitFor('the inspector tab', 30_000, async () => ((await wb.activeTabTitle().catch(() => '')) === title ? true : undefined), 250);
    const frame = wb.webview();
    await frame.locator('.viewport .row').first().waitFor({ timeout: 30_000 });
    // Made while the inspector is open: the row turns into a sync error without a refresh.
    await virtualCore.createNamespacedPod({ namespace: 'default', body: podBody('over') });
    await frame.locator('vscode-textfield.search input').fill('over');
    const status = await waitFor('the pair shown as a sync error with a badge', 90_000, async () => {
      const text = await rowStatus(frame, 'Pod/default/over');
      return /sync error/.test(text) && /⚠ \d/.test(text) ? text : undefined;
    }, 250);
    assert.match(status, /sync error\s*⚠ \d+/);
    assert.match(await frame.locator('.viewport .row[data-id="Pod/default/over"] .warning-badge').getAttribute('title') ?? '', /exceeded quota: capped/);
    await frame.locator('.viewport .row[data-id="Pod/default/over"]').click();
    const warning = frame.locator('.detail tr.event-warning', { hasText: 'SyncError' }).first();
    await warning.waitFor({ timeout: 30_000 });
    const warningText = await warning.innerText();
    assert.match(warningText, /Virtual/);
    assert.match(warningText, /exceeded quota: capped/);
    assert.match(warningText, /pod-syncer/);
    await wb.screenshot('why-not-synced-inspector-event');
  });

  it('"Why Not Synced?" names the cause: the host refused it, a full ResourceQuota', async () => {
    const wb = session!.workbench;
    const frame = wb.webview();
    await frame.locator('.detail-actions vscode-button', { hasText: 'Why Not Synced?' }).click();
    await waitFor('the report tab', 30_000, async () => (/^Pod over\.md$/.test(await wb.activeTabTitle().catch(() => '')) ? true : undefined), 250);
    const text = await waitFor('the verdict', 30_000, async () => {
      const shown = await wb.activeEditorText().catch(() => '');
      return shown.includes('## Verdict') ? shown : undefined;
    }, 250);
    assert.match(text, /> The host refused it: .*exceeded quota: capped/);
    assert.match(text, /A ResourceQuota in host namespace/);
    assert.match(text, /sync\.toHost\.pods\.enabled`: `true`/);
    assert.match(text, /over-x-default-x-whye/, 'the host name it should get');
    assert.match(text, /## Syncer log lines that name it\s+The last \d+ of the last/, 'the syncer\'s own log lines about it');
    await wb.screenshot('why-not-synced-report');
  });

  it('opens a pod pair\'s log through the virtual cluster, and the host pod\'s in one click', async () => {
    const wb = session!.workbench;
    await wb.activateTab(title);
    const frame = wb.webview();
    await frame.locator('vscode-textfield.search input').fill('logged');
    await frame.locator('.viewport .row[data-id="Pod/default/logged"]').click();
    await frame.locator('.detail-actions vscode-button').filter({ hasText: 'Logs' }).filter({ hasNotText: 'Host' }).click();
    await waitFor('the virtual pod\'s log tab', 30_000, async () => ((await wb.activeTabTitle().catch(() => '')) === 'app.log' ? true : undefined), 250);
    // What kubectl logs in the vCluster shows for this pod: the node agent's line for a kwok container.
    const virtualText = await waitFor('the pod\'s lines', 30_000, async () => {
      const shown = await wb.activeEditorText().catch(() => '');
      return /simulated by kwok/.test(shown) ? shown : undefined;
    }, 250);
    assert.doesNotMatch(virtualText, /cannot be read/);
    await wb.screenshot('why-not-synced-pod-log');
    await wb.runCommand('vCluster: Show Other Side\'s Log');
    // A second app.log tab: the same container's log on the host pod the syncer made.
    const tabs = await waitFor('the host pod\'s log tab', 30_000, async () => {
      const titles = await wb.page.locator('.tabs-container .tab').allInnerTexts();
      const shown = await wb.activeEditorText().catch(() => '');
      return titles.filter((tab) => /app\.log/.test(tab)).length === 2 && /simulated by kwok/.test(shown) ? titles : undefined;
    }, 250);
    assert.equal(tabs.filter((tab) => /app\.log/.test(tab)).length, 2, `a tab per side: ${tabs.join(' | ')}`);
  });

  it('the tree shows the same: the pair with its ⚠ badge and the host\'s reason, and asks "why" from its menu', async () => {
    const wb = session!.workbench;
    await wb.expandTreeRow(view, name);
    await wb.waitForTreeRow(view, 'default', 30_000);
    await wb.expandTreeRow(view, 'default');
    await wb.waitForTreeRow(view, 'Pod', 30_000);
    await wb.expandTreeRow(view, 'Pod');
    const row = await waitFor('the refused pod in the tree with its badge', 30_000, async () => (await wb.treeRows(view)).find((candidate) => candidate.label === 'over' && /^⚠ \d+ · → over-x-default-x-whye \(the host refused it\)/.test(candidate.description)), 250);
    assert.match(row.description, /the host refused it/);
    await wb.screenshot('why-not-synced-tree');
    const items = await wb.contextMenuItems(view, 'over');
    assert.ok(items.includes('Why Is This Not Synced?'), items.join(', '));
    assert.ok(items.includes('Show Logs'), 'a pod pair with a virtual pod has its log');
    assert.ok(!items.includes('Show Host Pod Logs'), 'no host pod: no host log');
    await wb.runContextMenuItem(view, 'over', 'Why Is This Not Synced?');
    const text = await waitFor('the verdict from the tree', 30_000, async () => {
      const shown = await wb.activeEditorText().catch(() => '');
      return shown.includes('The host refused it') ? shown : undefined;
    }, 250);
    assert.match(text, /exceeded quota: capped/);
  });

  it('describes the vCluster from its menu: what vcluster describe shows, and what it syncs', async () => {
    const wb = session!.workbench;
    await wb.runContextMenuItem(view, name, 'Describe vCluster');
    const text = await waitFor('the description', 60_000, async () => {
      const shown = await wb.activeEditorText().catch(() => '');
      return /Name:\s+whye/.test(shown) && /Synced to the host:/.test(shown) ? shown : undefined;
    }, 250);
    assert.match(text, new RegExp(`Namespace:\\s+${namespace}`));
    assert.match(text, /Status:\s+Running/);
    assert.match(text, /Backing Store:/);
    assert.match(text, /vcluster\.yaml/);
    await wb.screenshot('describe-vcluster');
  });
});
