import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROTOCOL_VERSION, type HostMessage, type PairDetail, type PairRow, type WebviewMessage } from '../../src/shared/protocol';
import { PAGE_SCRIPT, serveWebview, type WebviewServer } from '../env/inspectorPage';
import { waitFor } from '../integration/support/host';
import { CHROMIUM } from './harness/workbench';

/**
 * The inspector's page on its own, in Chromium: the production bundle under the real
 * Content-Security-Policy, with a FAKE VS Code webview host (acquireVsCodeApi and message
 * delivery; test/env/inspectorPage.ts) standing in for VS Code, so the page's behaviour can be
 * driven precisely: windowing, keyboard, sorting, filters, state restore, live updates, and
 * markup-free rendering of cluster data. The same page inside a real VS Code against a real
 * vCluster is inspector.e2e.test.ts.
 */
describe('the inspector page in Chromium (FAKE VS Code webview host)', () => {
  let server: WebviewServer;
  let browser: Browser;
  const vcluster = { name: 'vc', namespace: 'vcluster-vc', hostContext: 'kind-dev' };
  const statuses = ['synced', 'synced', 'synced', 'pending', 'orphaned', 'virtualOnly'] as const;
  // 2,000 pairs: Pods and Services in 20 namespaces, every sixth orphaned and so on.
  const rows: PairRow[] = Array.from({ length: 2000 }, (_, index) => {
    const namespace = `ns-${String(index % 20).padStart(2, '0')}`;
    const name = `app-${String(index).padStart(4, '0')}`;
    const kind = index % 4 === 0 ? 'Service' : 'Pod';
    const status = statuses[index % statuses.length]!;
    return {
      id: `${kind}/${namespace}/${name}`, kind, status, virtualNamespace: namespace, virtualName: name,
      ...(status === 'virtualOnly' ? {} : { hostNamespace: 'vcluster-vc', hostName: `${name}-x-${namespace}-x-vc` }),
      created: new Date(Date.UTC(2026, 10, 1) + index * 60_000).toISOString(),
    };
  });
  const snapshot: HostMessage = { type: 'snapshot', protocolVersion: PROTOCOL_VERSION, vcluster, source: { state: 'ready', virtualReachable: true }, rows };

  before(async () => {
    server = await serveWebview(join(__dirname, '..', '..', 'dist', 'webview'), 'Mapping: vc');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A fresh page; `state` is what VS Code would hand back from an earlier setState. */
  async function open(state?: unknown): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
    (page as Page & { errors: string[] }).errors = errors;
    await page.addInitScript({ content: PAGE_SCRIPT });
    if (state !== undefined) await page.addInitScript({ content: `window.__state = ${JSON.stringify(state)};` });
    await page.goto(server.url);
    await waitUntil(page, 'window.__posted.some((message) => message.type === "ready")');
    return page;
  }

  const deliver = (page: Page, message: unknown) => page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
  /**
   * Polls an expression in the page. Not page.waitForFunction: that compiles its predicate with
   * eval inside the page, which the page's own CSP (rightly) refuses; evaluate() goes through the
   * debugger protocol.
   */
  async function waitUntil(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await page.evaluate<boolean>(`Boolean(${expression})`))) {
      if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms: ${expression}`);
      await page.waitForTimeout(25);
    }
  }
  const posted = (page: Page) => page.evaluate<WebviewMessage[]>('window.__posted');
  const savedState = (page: Page) => page.evaluate<Record<string, unknown>>('window.__state');
  const rowIds = (page: Page) => page.locator('.viewport .row').evaluateAll((elements) => elements.map((element) => element.getAttribute('data-id') ?? ''));
  /** A sort redraws in the next frame: the first row once it is `id` (or a timeout naming what it was). */
  const firstRowBecomes = (page: Page, id: string, what: string) => waitFor(`${what}: ${id} first`, 5000, async () => ((await rowIds(page))[0] === id ? true : undefined), 20);
  const selectedId = (page: Page) => page.locator('.viewport .row.selected').getAttribute('data-id');
  const shown = (page: Page) => page.locator('.summary .shown').innerText();

  it('announces itself, ignores what is not protocol (reporting it once), and windows 2,000 rows', async () => {
    const page = await open();
    assert.deepEqual((await posted(page))[0], { type: 'ready', protocolVersion: PROTOCOL_VERSION });
    await deliver(page, { type: 'snapshot', rows: 'all of them' });
    await deliver(page, { type: 'bogus' });
    await waitUntil(page, 'window.__posted.some((message) => message.type === "reportError")');
    assert.equal((await posted(page)).filter((message) => message.type === 'reportError').length, 1);
    assert.equal(await page.locator('.viewport .row').count(), 0, 'nothing was drawn from an invalid message');

    await deliver(page, snapshot);
    await page.locator('.viewport .row').first().waitFor();
    assert.equal(await shown(page), '2,000 pairs');
    const inDom = await page.locator('.viewport .row').count();
    assert.ok(inDom > 10 && inDom < 80, `only the rows in view are in the page (${inDom})`);
    assert.equal(await page.locator('.status-toggle[data-status="orphaned"] .count').innerText(), String(rows.filter((row) => row.status === 'orphaned').length));
    await page.locator('.viewport').evaluate((viewport) => { viewport.scrollTop = viewport.scrollHeight; });
    await waitUntil(page, '[...document.querySelectorAll(".viewport .row")].some((row) => row.dataset.id === "Pod/ns-19/app-1999")');
    assert.deepEqual((page as Page & { errors: string[] }).errors, []);
    await page.close();
  });

  it('moves the selection with the keyboard, asks for the detail, and opens the YAML with Enter', async () => {
    const page = await open();
    await deliver(page, snapshot);
    await page.locator('.viewport .row').first().waitFor();
    const [first, second] = await rowIds(page);
    await page.locator('.viewport').focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await selectedId(page), first);
    await page.keyboard.press('ArrowDown');
    assert.equal(await selectedId(page), second);
    await waitUntil(page, `window.__posted.some((message) => message.type === "selectPair" && message.id === ${JSON.stringify(second)})`);
    await page.keyboard.press('End');
    const last = await selectedId(page);
    assert.equal(last, [...rows].sort((a, b) => (`${a.virtualNamespace}/${a.virtualName}` < `${b.virtualNamespace}/${b.virtualName}` ? -1 : 1)).at(-1)!.id);
    assert.ok(await page.locator('.viewport .row.selected').isVisible(), 'the selection is scrolled into view');
    await page.keyboard.press('Enter');
    const openYaml = (await posted(page)).find((message) => message.type === 'openYaml');
    assert.deepEqual(openYaml, { type: 'openYaml', id: last, side: rows.find((row) => row.id === last)!.status === 'orphaned' ? 'host' : 'virtual' });
    await page.close();
  });

  it('sorts by a column both ways and filters by status toggles and the search box', async () => {
    const page = await open();
    await deliver(page, snapshot);
    await page.locator('.viewport .row').first().waitFor();
    await page.locator('.th.col-age button').click();
    assert.equal(await page.locator('.th.col-age').getAttribute('aria-sort'), 'ascending');
    await firstRowBecomes(page, 'Pod/ns-19/app-1999', 'newest first');
    await page.locator('.th.col-age button').click();
    assert.equal(await page.locator('.th.col-age').getAttribute('aria-sort'), 'descending');
    await firstRowBecomes(page, 'Service/ns-00/app-0000', 'oldest first');

    await page.locator('.status-toggle[data-status="orphaned"]').click();
    assert.equal(await page.locator('.status-toggle[data-status="orphaned"]').getAttribute('aria-pressed'), 'true');
    const orphaned = rows.filter((row) => row.status === 'orphaned');
    assert.equal(await shown(page), `Showing ${orphaned.length} of 2,000 pairs`);
    for (const id of await rowIds(page)) assert.equal(rows.find((row) => row.id === id)!.status, 'orphaned');

    await page.locator('vscode-textfield.search input').fill('ns-04 app-00');
    assert.deepEqual(await rowIds(page), orphaned.filter((row) => row.virtualNamespace === 'ns-04' && row.virtualName!.startsWith('app-00')).map((row) => row.id), 'oldest first (age, descending)');
    await page.locator('vscode-textfield.search input').fill('no-such-name');
    assert.equal(await page.locator('.table').getAttribute('data-empty'), 'filtered');
    await page.locator('vscode-button.clear-filters').click();
    assert.equal(await shown(page), '2,000 pairs');
    assert.equal(await page.locator('.status-toggle[aria-pressed="true"]').count(), 0);
    await page.close();
  });

  it('puts filters, sort, selection and scroll back from the saved state (hide and show, reload)', async () => {
    const first = await open();
    await deliver(first, snapshot);
    await first.locator('.viewport .row').first().waitFor();
    await first.locator('vscode-textfield.search input').fill('ns-07');
    await first.locator('.th.col-host button').click();
    await first.locator('.viewport').evaluate((viewport) => { viewport.scrollTop = 24 * 30; });
    // The scroll redraws the window of rows in the next frames; a click on a row being replaced
    // is lost (seen on a loaded machine), so wait for two frames and click until one is selected.
    await first.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    const chosen = await waitFor('a row selected by a click', 10_000, async () => {
      await first.locator('.viewport .row').nth(35).click();
      return (await first.locator('.viewport .row.selected').count()) > 0 ? selectedId(first) : undefined;
    }, 200);
    // The app saves its state after a change (debounced): wait for it to hold the search.
    const state = await waitFor('the saved state to hold the search', 10_000, async () => {
      const saved = await savedState(first);
      return (saved.filter as { text?: string } | undefined)?.text === 'ns-07' && saved.selectedId !== undefined ? saved : undefined;
    }, 100);
    assert.equal((state.filter as { text: string }).text, 'ns-07');
    assert.deepEqual(state.vcluster, vcluster, 'the panel can be restored to its vCluster after a reload');
    await first.close();

    const second = await open(state);
    assert.equal(await second.locator('vscode-textfield.search input').inputValue(), 'ns-07', 'the search box shows the saved search before any data');
    await deliver(second, snapshot);
    await second.locator('.viewport .row.selected').waitFor();
    assert.equal(await selectedId(second), chosen);
    assert.equal(await second.locator('.th.col-host').getAttribute('aria-sort'), 'ascending');
    assert.equal(await shown(second), `Showing ${rows.filter((row) => row.virtualNamespace === 'ns-07').length} of 2,000 pairs`);
    assert.ok(await second.locator('.viewport').evaluate((viewport) => viewport.scrollTop) >= 24 * 30 - 1, 'the scroll position is back');
    await waitUntil(second, `window.__posted.some((message) => message.type === "selectPair" && message.id === ${JSON.stringify(chosen)})`);
    await second.close();
  });

  it('follows live updates, focuses a pair hidden by the filters, and shows cluster text as text', async () => {
    const page = await open();
    await deliver(page, snapshot);
    await page.locator('.viewport .row').first().waitFor();
    await page.locator('vscode-textfield.search input').fill('app-0001');
    await page.locator('.viewport .row').first().click();
    assert.equal(await selectedId(page), 'Pod/ns-01/app-0001');
    const detail: PairDetail = {
      id: 'Pod/ns-01/app-0001', kind: 'Pod', status: 'synced', virtual: { namespace: 'ns-01', name: 'app-0001' }, host: { namespace: 'vcluster-vc', name: 'app-0001-x-ns-01-x-vc' },
      virtualRead: true, hostRead: true,
      labels: [{ key: 'vcluster.loft.sh/managed-by', host: 'vc', change: 'marker' }, { key: 'note', virtual: '<img src=x onerror="window.__pwned=1">', host: '<b>bold</b>', change: 'rewritten' }],
      annotations: [], body: [{ op: 'skip', count: 2 }, { op: 'added', text: '  hostAliases:' }], notes: [],
      events: [{ side: 'virtual', type: 'Warning', reason: 'SyncError', message: '<img src=x onerror="window.__pwned=2">', count: 3, lastSeen: new Date().toISOString(), source: 'pod-syncer' }],
      eventNotes: [],
    };
    await deliver(page, { type: 'detail', detail });
    await page.locator('.detail tr.change-marker').waitFor();
    assert.equal(await page.locator('.detail img, .detail b').count(), 0, 'values are text, never markup');
    assert.match(await page.locator('.detail tr.change-rewritten[data-key="note"]').innerText(), /<img src=x/);
    assert.equal(await page.evaluate('window.__pwned'), undefined);
    assert.equal(await page.locator('.detail .diff-added').innerText(), '+  hostAliases:');
    // An event's message is the cluster's text too: shown as text, in a warning row.
    assert.match(await page.locator('.detail tr.event-warning').innerText(), /SyncError[\s\S]*<img src=x onerror[\s\S]*×3/);

    // Live: the selected pair disappears, a new one matching the search appears.
    await deliver(page, { type: 'update', source: { state: 'ready', virtualReachable: true }, upserts: [{ id: 'Pod/ns-01/app-00010', kind: 'Pod', status: 'pending', virtualNamespace: 'ns-01', virtualName: 'app-00010' }], removedIds: ['Pod/ns-01/app-0001'] });
    await waitUntil(page, '[...document.querySelectorAll(".viewport .row")].map((row) => row.dataset.id).join() === "Pod/ns-01/app-00010"');
    assert.match(await page.locator('.detail').innerText(), /This pair is gone/);

    // Opened from the tree on a pair the search hides: the filters give way.
    await deliver(page, { type: 'focusPair', id: 'Service/ns-16/app-1996' });
    await page.locator('.viewport .row.selected').waitFor();
    assert.equal(await selectedId(page), 'Service/ns-16/app-1996');
    assert.equal(await page.locator('vscode-textfield.search input').inputValue(), '');
    assert.equal(await shown(page), '2,000 pairs');

    // Opened from a namespace or kind in the tree: exactly that group, the search cleared.
    await page.locator('vscode-textfield.search input').fill('app-19');
    await waitFor('the search applied', 10_000, async () => ((await rowIds(page)).every((id) => id.includes('app-19')) ? true : undefined), 50);
    await deliver(page, { type: 'showGroup', namespace: 'ns-16', kind: 'Service' });
    const groupIds = await waitFor('the group shown, the search cleared', 10_000, async () => {
      const ids = await rowIds(page);
      const searchText = await page.locator('vscode-textfield.search input').inputValue();
      return searchText === '' && ids.length > 0 && ids.every((id) => id.startsWith('Service/ns-16/')) ? ids : undefined;
    }, 50);
    assert.ok(groupIds.some((id) => !id.includes('app-19')), 'rows the search had hidden are back');
    // A namespace without a kind: the kind filter goes back to every kind.
    await deliver(page, { type: 'showGroup', namespace: 'ns-01' });
    await waitFor('the whole namespace, any kind', 10_000, async () => {
      const ids = await rowIds(page);
      const kind = await page.locator('vscode-single-select.kind-filter').evaluate((select) => (select as unknown as { value: string }).value);
      return kind === '' && ids.length > 0 && ids.every((id) => id.split('/')[1] === 'ns-01') ? true : undefined;
    }, 50);
    assert.equal(await shown(page), 'Showing 100 of 2,000 pairs');

    await deliver(page, { type: 'update', source: { state: 'error', message: 'host cluster: connection refused' }, upserts: [], removedIds: [] });
    await page.locator('.banner', { hasText: 'connection refused' }).waitFor();
    await page.close();
  });
});
