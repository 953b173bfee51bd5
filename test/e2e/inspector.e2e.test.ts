import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { FrameLocator } from 'playwright-core';
import { hostName } from '../../src/vcluster/mapping/hostNames';
import { labelPod, scaleDeployment } from '../env/virtualWorkloads';
import { waitFor } from '../integration/support/host';
import { openVClusterWorkbench, type VClusterWorkbench } from './harness/vclusterWorkbench';
import type { Workbench } from './harness/workbench';
import { noteTestResult } from './harness/extensionLog';

/**
 * The resource-mapping inspector in a real VS Code, against a real vCluster: made by the real CLI
 * and chart, its real syncer run by the host's node agent, on the real host. The extension connects
 * to it with its own port-forward (no setting), so the inspector reads both sides: it
 * finds one pod among the pairs, shows its host name and the annotations the syncer added, and
 * follows a scale-up live.
 */
describe('the resource-mapping inspector', () => {
  const name = 'insp';
  const namespace = `vcluster-insp-${process.pid}`;
  let session: VClusterWorkbench | undefined;
  let workbench: Workbench | undefined;
  let virtualApps: AppsV1Api;
  let virtualCore: CoreV1Api;
  let hostCore: CoreV1Api;
  const view = 'Clusters';
  const title = `Mapping: ${name}`;

  before(async () => {
    session = await openVClusterWorkbench({
      name, namespace, screenshotPrefix: 'inspector',
    });
    workbench = session.workbench;
    virtualApps = session.virtualConfig.makeApiClient(AppsV1Api);
    virtualCore = session.virtualConfig.makeApiClient(CoreV1Api);
    hostCore = session.hostConfig.makeApiClient(CoreV1Api);
  });

  afterEach(noteTestResult);

  after(async () => {
    await session?.close();
  });

  async function hostPods(): Promise<string[]> {
    const pods = await hostCore.listNamespacedPod({ namespace, labelSelector: `vcluster.loft.sh/managed-by=${name}` });
    return pods.items.map((pod) => pod.metadata?.name ?? '').filter((podName) => podName.startsWith('web-')).sort();
  }

  async function virtualPods(): Promise<string[]> {
    const pods = await virtualCore.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web' });
    return pods.items.map((pod) => pod.metadata?.name ?? '').sort();
  }

  /** The table's row texts, read in one pass: `virtual | host | status` per row. */
  async function tableRows(frame: FrameLocator): Promise<Array<{ id: string; virtual: string; host: string; status: string }>> {
    return frame.locator('.viewport .row').evaluateAll((rows) => rows.map((row) => ({
      id: row.getAttribute('data-id') ?? '',
      virtual: (row.querySelector('.col-virtual')?.textContent ?? '').trim(),
      host: (row.querySelector('.col-host')?.textContent ?? '').trim(),
      status: (row.querySelector('.col-status')?.textContent ?? '').trim(),
    })));
  }

  it('opens from the vCluster\'s menu once connected, with the pairs of the live mapping', async () => {
    await virtualApps.createNamespacedDeployment({ namespace: 'default', body: {
      metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'web', image: 'nginx', env: [{ name: 'GREETING', value: 'hello' }] }] } } },
    } });
    await waitFor('the syncer to create the host pod', 60_000, async () => ((await hostPods()).length === 1 ? true : undefined));
    const wb = workbench!;
    await wb.openViewContainer('vCluster');
    await wb.waitForTreeRow(view, name, 30_000);
    await wb.runContextMenuItem(view, name, 'Connect to vCluster');
    await waitFor('the vCluster to show as connected', 30_000, async () => ((await wb.treeRows(view)).find((row) => row.label === name)?.description.includes('connected') ? true : undefined), 250);
    await wb.runContextMenuItem(view, name, 'Open Mapping Inspector');
    assert.equal(await waitFor('the inspector tab', 30_000, async () => ((await wb.activeTabTitle().catch(() => '')) === title ? title : undefined), 250), title);
    const frame = wb.webview();
    await frame.locator('.viewport .row').first().waitFor({ timeout: 30_000 });
    const [pod] = await virtualPods();
    assert.ok(pod, 'the virtual pod exists');
    const rows = await waitFor('the pod\'s pair in the table', 30_000, async () => {
      const current = await tableRows(frame);
      return current.some((row) => row.id === `Pod/default/${pod}` && row.status === 'synced') ? current : undefined;
    }, 250);
    const podRow = rows.find((row) => row.id === `Pod/default/${pod}`)!;
    assert.equal(podRow.virtual, `default/${pod}`);
    assert.equal(podRow.host, `${namespace}/${hostName(pod, 'default', name)}`);
    // Connected: the virtual-only Deployment is there too, and the summary counts agree with the rows.
    assert.ok(rows.some((row) => row.id === 'Deployment/default/web' && row.status === 'virtual only'), JSON.stringify(rows));
    const summary = await frame.locator('.summary .shown').innerText();
    assert.match(summary, /^\d[\d,]* pairs$/);
    assert.ok(Number(summary.replace(/\D/g, '')) >= rows.length);
  });

  it('filters to one pod, shows its host name and the annotations the syncer added', async () => {
    const wb = workbench!;
    const frame = wb.webview();
    const [pod] = await virtualPods();
    await frame.locator('vscode-textfield.search input').fill(pod!);
    const rows = await waitFor('one row left', 10_000, async () => {
      const current = await tableRows(frame);
      return current.length === 1 ? current : undefined;
    }, 100);
    assert.equal(rows[0]!.id, `Pod/default/${pod}`);
    assert.match(await frame.locator('.summary .shown').innerText(), /^Showing 1 of \d+ pairs$/);
    await frame.locator('.viewport .row').first().click();
    const detail = frame.locator('.detail');
    await detail.locator('table.metadata').first().waitFor({ timeout: 30_000 });
    const names = await detail.locator('table.names').innerText();
    assert.match(names, new RegExp(hostName(pod!, 'default', name)));
    assert.match(names, new RegExp(namespace));
    const marker = detail.locator('tr.change-marker[data-key="vcluster.loft.sh/object-name"]');
    assert.match(await marker.innerText(), new RegExp(`${pod}\\s*added by the syncer`));
    assert.equal(await detail.locator('tr.change-marker[data-key="vcluster.loft.sh/managed-by"]').count(), 1, 'the managed-by label is marked as the syncer\'s');
    assert.equal(await detail.locator('tr.change-same[data-key="tier"]').count(), 1, 'a label copied as it is shows as the same on both sides');
    const addedLines = await detail.locator('.diff-added').allInnerTexts();
    assert.ok(addedLines.length > 0, 'the syncer rewrote the pod spec; the diff shows host-only lines');
    await wb.screenshot('inspector-dark');
  });

  it('follows an edit to the selected pair: a label added in the virtual cluster shows in the detail, then on the host side too', async () => {
    const frame = workbench!.webview();
    const [pod] = await virtualPods();
    const detail = frame.locator('.detail');
    await detail.locator('table.metadata').first().waitFor({ timeout: 30_000 });
    const labelRow = detail.locator('tr[data-key="e2e-edited"]');
    assert.equal(await labelRow.count(), 0, 'the label is not there before the edit');
    const edited = Date.now();
    await labelPod(virtualCore, pod!, 'e2e-edited', 'yes');
    // No new selection: the pair's objects changed (their resourceVersion), so the detail is read again.
    await labelRow.first().waitFor({ timeout: 30_000 });
    const shownMs = Date.now() - edited;
    // The syncer copies the label to the host pod; the row then shows it on both sides.
    await waitFor('the label on both sides', 30_000, async () => ((await labelRow.first().getAttribute('class'))?.includes('change-same') ? true : undefined), 100);
    console.log(`[inspector e2e] label edit to the detail: ${shownMs} ms; on both sides: ${Date.now() - edited} ms`);
  });

  it('follows a scale-up live: the new pod appears in the filtered table without a refresh', async () => {
    const wb = workbench!;
    const frame = wb.webview();
    await frame.locator('vscode-textfield.search input').fill('web-');
    await scaleDeployment(virtualApps, 'web', 2);
    const scaled = Date.now();
    await waitFor('a second host pod', 60_000, async () => ((await hostPods()).length === 2 ? true : undefined), 100);
    const hostPodSeen = Date.now();
    const rows = await waitFor('two synced pod rows', 30_000, async () => {
      const current = (await tableRows(frame)).filter((row) => row.id.startsWith('Pod/default/web-') && row.status === 'synced');
      return current.length === 2 ? current : undefined;
    }, 100);
    console.log(`[inspector e2e] scale-up to host pod: ${hostPodSeen - scaled} ms; host pod to its synced row in the inspector: ${Date.now() - hostPodSeen} ms`);
    assert.deepEqual(rows.map((row) => row.host.replace(`${namespace}/`, '')).sort(), await hostPods());
  });

  it('keeps search and selection when hidden and shown, opens the host YAML and reveals the pair in the tree', async () => {
    const wb = workbench!;
    let frame = wb.webview();
    const [pod] = await virtualPods();
    await frame.locator('vscode-textfield.search input').fill(pod!);
    await frame.locator(`.viewport .row[data-id="Pod/default/${pod}"]`).click();
    await frame.locator('.detail table.metadata').first().waitFor({ timeout: 30_000 });
    // "Host YAML" opens a YAML editor in front of the inspector: the panel is hidden (its page discarded).
    await frame.locator('.detail-actions vscode-button', { hasText: 'Host YAML' }).click();
    const hostPod = hostName(pod!, 'default', name);
    await waitFor('the host YAML tab', 30_000, async () => ((await wb.activeTabTitle().catch(() => '')).startsWith(hostPod) ? true : undefined), 250);
    assert.match(await wb.activeEditorText(), new RegExp(`vcluster.loft.sh/object-name: ${pod}`));
    await wb.activateTab(title);
    frame = wb.webview();
    await frame.locator('.viewport .row.selected').waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('vscode-textfield.search input').inputValue(), pod, 'the search survived');
    assert.deepEqual((await tableRows(frame)).map((row) => row.id), [`Pod/default/${pod}`]);
    assert.equal(await frame.locator('.viewport .row.selected').getAttribute('data-id'), `Pod/default/${pod}`, 'the selection survived');
    await frame.locator('.detail table.metadata').first().waitFor({ timeout: 30_000 });

    await frame.locator('.detail-actions vscode-button', { hasText: 'Reveal in Tree' }).click();
    const selected = await waitFor('the pair selected in the tree', 30_000, async () => {
      const labels = await wb.selectedTreeRows(view);
      return labels.includes(pod!) ? labels : undefined;
    }, 250);
    assert.deepEqual(selected, [pod]);
  });

  it('opens on a pair from the tree: the panel comes forward with that pair selected, through the search', async () => {
    const wb = workbench!;
    const pods = await virtualPods();
    const other = pods[1]!;
    await wb.activateTab(`${hostName(pods[0]!, 'default', name)}.yaml`);
    await wb.waitForTreeRow(view, other, 30_000);
    await wb.runContextMenuItem(view, other, 'Open Mapping Inspector');
    await waitFor('the inspector in front', 30_000, async () => ((await wb.activeTabTitle().catch(() => '')) === title ? true : undefined), 250);
    const frame = wb.webview();
    await waitFor('the pair selected', 30_000, async () => ((await frame.locator('.viewport .row.selected').getAttribute('data-id', { timeout: 1000 }).catch(() => null)) === `Pod/default/${other}` ? true : undefined), 250);
    assert.equal(await frame.locator('vscode-textfield.search input').inputValue(), '', 'the search that hid it was cleared');
    await frame.locator('.detail table.names', { hasText: hostName(other, 'default', name) }).waitFor({ timeout: 30_000 });
  });

  it('opens on a kind from the tree: the panel comes forward filtered to that namespace and kind', async () => {
    const wb = workbench!;
    await wb.waitForTreeRow(view, 'Pod', 30_000);
    await wb.runContextMenuItem(view, 'Pod', 'Open Mapping Inspector');
    await waitFor('the inspector in front', 30_000, async () => ((await wb.activeTabTitle().catch(() => '')) === title ? true : undefined), 250);
    const frame = wb.webview();
    const rows = await waitFor('only the default namespace\'s pods', 30_000, async () => {
      const current = await tableRows(frame);
      return current.length > 0 && current.every((row) => row.id.startsWith('Pod/default/')) ? current : undefined;
    }, 250);
    const pods = await virtualPods();
    assert.deepEqual(rows.map((row) => row.id).sort(), pods.map((pod) => `Pod/default/${pod}`).sort(), 'every pod of the namespace, nothing else');
    assert.equal(await frame.locator('vscode-single-select.kind-filter').evaluate((select) => (select as unknown as { value: string }).value), 'Pod');
    assert.equal(await frame.locator('vscode-single-select.namespace-filter').evaluate((select) => (select as unknown as { value: string }).value), 'default');
  });

  it('opening again from the palette brings the same panel forward, and follows a light theme', async () => {
    const wb = workbench!;
    await wb.runCommand('vCluster: Open Mapping Inspector');
    await wb.answerQuickPick(name, /^Open Mapping Inspector/);
    await waitFor('the inspector in front', 30_000, async () => ((await wb.activeTabTitle().catch(() => '')) === title ? true : undefined), 250);
    const tabs = await wb.page.locator('.tabs-container .tab .label-name').allInnerTexts();
    assert.equal(tabs.filter((tab) => tab.trim() === title).length, 1, `one inspector per vCluster; tabs: ${JSON.stringify(tabs)}`);
    // Light theme: VS Code restyles the webview (body class and theme variables) without a reload.
    // The theme picker, as a user opens it: the palette's exact "Preferences: Color Theme" entry
    // (Enter would take the top-ranked match, which can be the marketplace browser).
    await wb.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await wb.chooseColorTheme('Light Modern');
    const frame = wb.webview();
    await frame.locator('body.vscode-light').waitFor({ timeout: 30_000 });
    await frame.locator('.viewport .row').first().waitFor({ timeout: 30_000 });
    const background = await frame.locator('body').evaluate((body) => body.ownerDocument.defaultView!.getComputedStyle(body).backgroundColor);
    assert.match(background, /^rgb\((2[0-9]{2}), (2[0-9]{2}), (2[0-9]{2})\)$/, `a light background (${background})`);
    await wb.screenshot('inspector-light');
  });

  it('follows a high-contrast theme: the selected row and the syncer\'s changes get contrast outlines', async () => {
    const wb = workbench!;
    await wb.chooseColorTheme('Dark High Contrast');
    const frame = wb.webview();
    await frame.locator('body.vscode-high-contrast').waitFor({ timeout: 30_000 });
    await frame.locator('.viewport .row').first().click();
    const outline = await frame.locator('.viewport .row.selected').evaluate((row) => {
      const style = row.ownerDocument.defaultView!.getComputedStyle(row);
      return { style: style.outlineStyle, color: style.outlineColor };
    });
    assert.ok(outline.style !== 'none' && outline.color !== 'rgba(0, 0, 0, 0)', `the selected row is outlined, not only coloured: ${JSON.stringify(outline)}`);
    await frame.locator('.detail table.metadata').first().waitFor({ timeout: 30_000 });
    const marker = frame.locator('.detail tr.change-marker').first();
    const markerOutline = await marker.evaluate((row) => row.ownerDocument.defaultView!.getComputedStyle(row).outlineStyle);
    assert.notEqual(markerOutline, 'none', 'a syncer marker stands out without colour');
    await wb.screenshot('inspector-high-contrast');
  });
});
