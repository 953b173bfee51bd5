import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PAIR_STATUSES, PROTOCOL_VERSION, type HostMessage, type PairRow, type PairStatusName } from '../src/shared/protocol';
import { hostName } from '../src/vcluster/mapping/hostNames';
import { CHROMIUM } from '../test/e2e/harness/workbench';
import { cachedHostBinaries } from '../test/env/hostBinaries';
import { downHostCluster, upHostCluster } from '../test/env/hostCluster';
import { seededRandom } from '../test/env/seededRandom';
import { PAGE_SCRIPT, serveWebview, type FirstPaintSample, type KeystrokeSample } from '../test/env/inspectorPage';

/**
 * The mapping inspector webview with 10,000 pairs, in Debian's Chromium (headless, 1400×900),
 * running the production bundle (dist/webview) in the page the extension makes
 * (src/inspector/inspectorHtml.ts), under its real Content-Security-Policy, served from
 * 127.0.0.1 as the webview's resource origin. VS Code itself is not there: a FAKE VS Code
 * webview host (test/env/inspectorPage.ts) provides acquireVsCodeApi() and delivers the host's
 * messages as `message` events, as VS Code's webview does.
 *   1. First paint: a fresh page per sample; t0 just before the snapshot (10,000 rows) is posted
 *      to the page, t1 after the first frame painted with the rows (goal ≤ 300 ms).
 *   2. One filter keystroke: with 10,000 rows shown, "web-1" typed into the search box one key
 *      at a time with the real keyboard (page.keyboard); each keystroke from its keydown to the
 *      next painted frame (goal ≤ 50 ms). Every prefix of the term shows fewer rows than the one
 *      before, and each keystroke must change the shown count.
 *   3. Side by side (the repo's rule: speed targets are reported next to kubectl on the same host,
 *      same run): on the local host cluster, 10,000 ConfigMaps in one namespace; `kubectl get
 *      configmaps -n NS` printing them all (the terminal's first paint of the table) and with
 *      `--field-selector metadata.name=…` (narrowing to one). Skipped, with a note, when the host
 *      binaries are not built yet (npm run cluster:build).
 * The page's console errors and warnings, page errors, reportError messages and 404s are
 * reported; any Content-Security-Policy violation fails the bench.
 */

export const INSPECTOR_ROWS = 10_000;
export const FIRST_PAINT_GOAL_MS = 300;
export const KEYSTROKE_GOAL_MS = 50;
export const SEARCH_TERM = 'web-1';

const NAMESPACES = 50;
const VCLUSTER = { name: 'bench', namespace: 'vcluster-bench', hostContext: 'bench-host' };
const SEED = 0x1e5c7;
const DAY_MS = 86_400_000;
const CONFIGMAP_NAMESPACE = 'bench-inspector';
const CONFIGMAP_CONCURRENCY = 50;

export interface KubectlSide {
  configMaps: number;
  /** What `kubectl get configmaps -n NS` printed: rows without the header (kube-root-ca.crt too). */
  listedRows: number;
  listMs: number[];
  fieldSelectorName: string;
  fieldSelectorMs: number[];
  seedSeconds: number;
}

export interface InspectorBench {
  rows: number;
  namespaces: number;
  counts: Record<PairStatusName, number>;
  kinds: Record<string, number>;
  snapshotBytes: number;
  /** JSON.stringify of the snapshot in Node: the extension host's side of postMessage, not in firstPaintMs. */
  stringifyMs: number;
  firstPaintMs: number[];
  handledMs: number[];
  rowsInDom: number;
  viewportHeight: number;
  term: string;
  /** Rows each prefix of the term should leave ("w", "we", …), computed here from the rows. */
  expectedCounts: number[];
  /** Rows the page showed after each keystroke, first round. */
  shownCounts: number[];
  /** keystrokeMs[round][character]. */
  keystrokeMs: number[][];
  keystrokeFromEventMs: number[][];
  keystrokeInputMs: number[][];
  consoleMessages: string[];
  pageErrors: string[];
  reportedErrors: string[];
  cspViolations: string[];
  missingResources: string[];
  kubectl?: KubectlSide;
  kubectlSkipped?: string;
}

// ---- the rows -------------------------------------------------------------------------------

/** Apps whose names make every prefix of "web-1" narrow the table: worker (w), sweeper (we), webhook (web), web-* (web-), web-1* (web-1). */
const APPS = ['web', 'webhook', 'api', 'worker', 'sweeper', 'auth', 'cache', 'db', 'queue', 'search', 'billing', 'metrics', 'frontend', 'backend', 'gateway', 'scheduler', 'mailer', 'reports', 'ingest'];
/** Kubernetes' pod-template-hash and generated-name alphabet (no vowels, no 0, 1, 3). */
const GENERATED = 'bcdfghjklmnpqrstvwxz2456789';
const KIND_WEIGHTS: Array<[string, number]> = [
  ['Pod', 0.6], ['Service', 0.08], ['ConfigMap', 0.1], ['Secret', 0.08], ['Endpoints', 0.06], ['EndpointSlice', 0.06], ['PersistentVolumeClaim', 0.02],
];
const STATUS_WEIGHTS: Array<[PairStatusName, number]> = [
  ['synced', 0.85], ['pending', 0.05], ['orphaned', 0.03], ['virtualOnly', 0.04], ['controlPlane', 0.03],
];

function weighted<T>(random: () => number, weights: ReadonlyArray<[T, number]>): T {
  let left = random();
  for (const [value, weight] of weights) {
    left -= weight;
    if (left < 0) return value;
  }
  return weights[weights.length - 1]![0];
}

/**
 * 10,000 pairs as the extension sends them (src/inspector/pairRows.ts), the same on every run:
 * 50 virtual namespaces; Pods (60 %; Deployment- and StatefulSet-style names), Services,
 * ConfigMaps, Secrets, Endpoints, EndpointSlices and PVCs; mostly synced, some pending,
 * orphaned, virtual-only and control-plane. Host names come from the extension's hostName().
 * Only the creation times depend on the clock: spread over the 10 days before `now`.
 */
export function generateRows(count = INSPECTOR_ROWS, now = Date.now()): PairRow[] {
  const random = seededRandom(SEED);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const alphabet = [...GENERATED];
  const generated = (length: number) => Array.from({ length }, () => pick(alphabet)).join('');
  const namespaces = Array.from({ length: NAMESPACES }, (_, index) => `tenant-${String(index).padStart(2, '0')}`);
  const nameFor = (kind: string): string => {
    const app = pick(APPS);
    switch (kind) {
      case 'Pod':
        return random() < 0.7 ? `${app}-${generated(10)}-${generated(5)}` : `${app}-${Math.floor(random() * 30)}`;
      case 'Service':
      case 'Endpoints':
        return pick([app, `${app}-headless`, `${app}-metrics`, `${app}-${generated(4)}`]);
      case 'EndpointSlice':
        return `${pick([app, `${app}-headless`, `${app}-metrics`])}-${generated(5)}`;
      case 'ConfigMap':
        return pick([`${app}-config`, `${app}-env-${generated(5)}`, `${app}-scripts`]);
      case 'Secret':
        return pick([`${app}-tls`, `${app}-credentials`, `${app}-token-${generated(5)}`]);
      default:
        return `data-${app}-${Math.floor(random() * 30)}`;
    }
  };
  const ids = new Set<string>();
  const rows: PairRow[] = [];
  while (rows.length < count) {
    const kind = weighted(random, KIND_WEIGHTS);
    const status = weighted(random, STATUS_WEIGHTS);
    const created = new Date(now - Math.floor(random() * 10 * DAY_MS)).toISOString();
    if (status === 'controlPlane') {
      // The vCluster's own objects on the host: no virtual side; ids as src/vcluster/mapping.ts makes them.
      const name = kind === 'Pod' ? `${VCLUSTER.name}-${generated(10)}-${generated(5)}` : `${VCLUSTER.name}-${pick(['coredns', 'etcd', 'syncer', 'certs', 'config'])}-${generated(5)}`;
      const id = `host:${kind}/${VCLUSTER.namespace}/${name}`;
      if (ids.has(id)) continue;
      ids.add(id);
      rows.push({ id, kind, status, hostNamespace: VCLUSTER.namespace, hostName: name, created });
      continue;
    }
    const namespace = pick(namespaces);
    const name = nameFor(kind);
    const id = `${kind}/${namespace}/${name}`;
    if (ids.has(id)) continue;
    ids.add(id);
    const row: PairRow = { id, kind, status, virtualNamespace: namespace, virtualName: name, created };
    // pending: the host name it will get; synced and orphaned: the host object's name.
    if (status !== 'virtualOnly') Object.assign(row, { hostNamespace: VCLUSTER.namespace, hostName: hostName(name, namespace, VCLUSTER.name) });
    rows.push(row);
  }
  return rows;
}

/** What the search box matches (webview/pairTable.ts): "vns/vname hns/hname", lower-cased. */
function searchText(row: PairRow): string {
  const qualified = (namespace: string | undefined, name: string | undefined) => (name ? (namespace ? `${namespace}/${name}` : name) : '');
  return `${qualified(row.virtualNamespace, row.virtualName)} ${qualified(row.hostNamespace, row.hostName)}`.toLowerCase();
}

/** Rows left by each prefix of the term; throws unless every keystroke narrows. */
function expectedCounts(rows: readonly PairRow[], term: string): number[] {
  const texts = rows.map(searchText);
  const counts = [...term].map((_, index) => texts.filter((text) => text.includes(term.slice(0, index + 1))).length);
  const previous = [rows.length, ...counts];
  if (counts.some((count, index) => count >= previous[index]! || count === 0)) {
    throw new Error(`bench inspector: "${term}" must narrow the rows on every keystroke (counts ${previous.join(' → ')})`);
  }
  return counts;
}

/** "Showing 1,234 of 10,000 pairs" → 1234; "10,000 pairs" → 10000. */
function shownCount(text: string): number {
  const match = /^(?:Showing )?([\d,]+)/.exec(text.trim());
  if (!match) throw new Error(`bench inspector: no count in the summary text ${JSON.stringify(text)}`);
  return Number(match[1]!.replace(/,/g, ''));
}

// ---- the browser ----------------------------------------------------------------------------

interface PageLog {
  consoleMessages: Map<string, number>;
  pageErrors: string[];
  cspViolations: Set<string>;
  reportedErrors: string[];
}

async function openInspector(context: BrowserContext, url: string, log: PageLog): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('console', (message) => {
    const text = message.text();
    if (/Content[- ]Security[- ]Policy/i.test(text)) log.cspViolations.add(`console: ${text}`);
    if (message.type() === 'error' || message.type() === 'warning') {
      const line = `${message.type()}: ${text}`;
      log.consoleMessages.set(line, (log.consoleMessages.get(line) ?? 0) + 1);
    }
  });
  page.on('pageerror', (error) => log.pageErrors.push(error.stack ?? error.message));
  await page.goto(url, { waitUntil: 'load' });
  const version = await page.evaluate<number>('window.__bench.ready()');
  if (version !== PROTOCOL_VERSION) throw new Error(`bench inspector: the page said ready with protocol ${version}, the extension speaks ${PROTOCOL_VERSION}`);
  // The codicon font and a quiet frame first: the figure is about the rows, not the page load.
  await page.evaluate('document.fonts.ready.then(() => undefined)');
  await page.evaluate('window.__bench.settled()');
  return page;
}

async function closeInspector(page: Page, log: PageLog): Promise<void> {
  const report = await page.evaluate<{ posted: Array<{ type?: string; message?: string }>; cspViolations: string[] }>('window.__bench.report()');
  for (const violation of report.cspViolations) log.cspViolations.add(violation);
  for (const message of report.posted) if (message?.type === 'reportError') log.reportedErrors.push(String(message.message));
  await page.close();
}

async function deliverSnapshot(page: Page, total: number): Promise<FirstPaintSample> {
  const sample = await page.evaluate<FirstPaintSample>('window.__bench.firstPaint()');
  if (sample.rowsInDom === 0) throw new Error('bench inspector: no .row[data-id] in the DOM after the snapshot');
  if (shownCount(sample.shown) !== total) throw new Error(`bench inspector: the summary says ${JSON.stringify(sample.shown)} after a snapshot of ${total} rows`);
  return sample;
}

async function measureBrowser(rows: PairRow[], samples: number, result: InspectorBench, log: PageLog): Promise<void> {
  const snapshot: HostMessage = { type: 'snapshot', protocolVersion: PROTOCOL_VERSION, vcluster: VCLUSTER, source: { state: 'ready', virtualReachable: true }, rows };
  const started = performance.now();
  const json = JSON.stringify(snapshot);
  result.stringifyMs = performance.now() - started;
  result.snapshotBytes = Buffer.byteLength(json);

  const server = await serveWebview(join(__dirname, '..', 'dist', 'webview'), VCLUSTER.name);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: 'dark' });
    await context.addInitScript({ content: PAGE_SCRIPT });
    // The snapshot, in each page before it loads: delivering it is then only the postMessage.
    await context.addInitScript({ content: `window.__benchSnapshot = ${json};` });

    for (let index = 0; index < samples; index++) {
      const page = await openInspector(context, server.url, log);
      const sample = await deliverSnapshot(page, rows.length);
      result.firstPaintMs.push(sample.ms);
      result.handledMs.push(sample.handledMs);
      result.rowsInDom = sample.rowsInDom;
      result.viewportHeight = sample.viewportHeight;
      console.log(`[bench] inspector first paint ${index + 1}/${samples}: ${sample.ms.toFixed(1)} ms (handled ${sample.handledMs.toFixed(1)} ms, ${sample.rowsInDom} rows in the DOM)`);
      await closeInspector(page, log);
    }

    const page = await openInspector(context, server.url, log);
    await deliverSnapshot(page, rows.length);
    await page.evaluate('window.__bench.settled()');
    const search = page.locator('vscode-textfield.search input');
    await search.click();
    const full = `${rows.length.toLocaleString('en-US')} pairs`;
    for (let round = 0; round < samples; round++) {
      const before = await page.evaluate<string>('window.__bench.settled()');
      if (before !== full) throw new Error(`bench inspector: before typing the summary says ${JSON.stringify(before)}, not ${JSON.stringify(full)}`);
      const times: number[] = [];
      const fromEvent: number[] = [];
      const input: number[] = [];
      for (const character of result.term) {
        await page.evaluate('window.__bench.armKey()');
        await page.keyboard.press(character);
        const sample = await page.evaluate<KeystrokeSample>('window.__bench.keyResult()');
        if (sample.shownAfter === sample.shownBefore) {
          throw new Error(`bench inspector: typing ${JSON.stringify(character)} left the summary at ${JSON.stringify(sample.shownAfter)}`);
        }
        if (round === 0) result.shownCounts.push(shownCount(sample.shownAfter));
        times.push(sample.ms);
        fromEvent.push(sample.fromEventMs);
        input.push(sample.inputMs);
      }
      result.keystrokeMs.push(times);
      result.keystrokeFromEventMs.push(fromEvent);
      result.keystrokeInputMs.push(input);
      console.log(`[bench] inspector keystrokes ${round + 1}/${samples} ("${result.term}"): ${times.map((value) => value.toFixed(1)).join(', ')} ms`);
      // Escape clears the search box (webview/toolbar.ts): back to all rows for the next round.
      await page.keyboard.press('Escape');
    }
    await closeInspector(page, log);
    await context.close();
  } finally {
    await browser.close();
    await server.close();
    result.missingResources = [...server.missing];
  }
}

// ---- kubectl, side by side ------------------------------------------------------------------

async function seedConfigMaps(kubeconfig: string, count: number): Promise<number> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfig);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: CONFIGMAP_NAMESPACE } } });
  const started = Date.now();
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let index = next++; index < count; index = next++) {
      const name = configMapName(index);
      for (let attempt = 1; ; attempt++) {
        try {
          await core.createNamespacedConfigMap({ namespace: CONFIGMAP_NAMESPACE, body: { metadata: { name, labels: { app: 'bench' } }, data: { index: String(index), note: 'inspector bench' } } });
          break;
        } catch (error) {
          if (attempt >= 3) throw new Error(`bench inspector: creating ConfigMap ${name}: ${(error as Error).message}`);
          await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        }
      }
      if (++done % 1000 === 0) console.log(`[bench] inspector: ${done.toLocaleString('en-US')} / ${count.toLocaleString('en-US')} ConfigMaps created (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
  };
  await Promise.all(Array.from({ length: CONFIGMAP_CONCURRENCY }, worker));
  return (Date.now() - started) / 1000;
}

function configMapName(index: number): string {
  return `cm-${String(index).padStart(5, '0')}`;
}

async function measureKubectl(samples: number, count: number): Promise<KubectlSide | string> {
  const binaries = cachedHostBinaries();
  if (!binaries) return 'the local host cluster\'s binaries are not built yet (npm run cluster:build builds them)';
  const name = `bench-insp-${process.pid}`;
  const cacheDir = mkdtempSync(join(tmpdir(), 'vcluster-bench-kubectl-'));
  console.log(`[bench] inspector: starting local host cluster ${name} for the kubectl side`);
  let kubeconfig: string | undefined;
  try {
    const host = await upHostCluster(binaries, { name });
    kubeconfig = host.kubeconfig;
    const seedSeconds = await seedConfigMaps(host.kubeconfig, count);
    // A private discovery cache, so nothing is written under ~/.kube.
    const kubectl = (args: string[]) => {
      const started = performance.now();
      const run = spawnSync(binaries.kubectl, ['--kubeconfig', host.kubeconfig, '--cache-dir', cacheDir, ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
      const ms = performance.now() - started;
      if (run.status !== 0) throw new Error(`bench inspector: kubectl ${args.join(' ')} failed: ${run.stderr || run.error?.message}`);
      return { ms, rows: run.stdout.trimEnd().split('\n').length - 1 };
    };
    const fieldSelectorName = configMapName(Math.floor(count * 0.4217));
    const listMs: number[] = [];
    const fieldSelectorMs: number[] = [];
    let listedRows = 0;
    // The first round warms the discovery cache and the API server's; it is not counted.
    for (let round = 0; round <= samples; round++) {
      const list = kubectl(['get', 'configmaps', '--namespace', CONFIGMAP_NAMESPACE]);
      if (list.rows < count) throw new Error(`bench inspector: kubectl get configmaps printed ${list.rows} rows, expected at least ${count}`);
      const one = kubectl(['get', 'configmaps', '--namespace', CONFIGMAP_NAMESPACE, '--field-selector', `metadata.name=${fieldSelectorName}`]);
      if (one.rows !== 1) throw new Error(`bench inspector: kubectl --field-selector printed ${one.rows} rows, expected 1`);
      if (round === 0) continue;
      listedRows = list.rows;
      listMs.push(list.ms);
      fieldSelectorMs.push(one.ms);
      console.log(`[bench] inspector: kubectl get ${round}/${samples}: all ${list.ms.toFixed(1)} ms, one ${one.ms.toFixed(1)} ms`);
    }
    return { configMaps: count, listedRows, listMs, fieldSelectorName, fieldSelectorMs, seedSeconds };
  } finally {
    if (kubeconfig) {
      try {
        const kubeConfig = new KubeConfig();
        kubeConfig.loadFromFile(kubeconfig);
        await kubeConfig.makeApiClient(CoreV1Api).deleteNamespace({ name: CONFIGMAP_NAMESPACE });
      } catch {
        // The host goes next, namespace and all.
      }
    }
    await downHostCluster(name, binaries);
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

// ---- the part -------------------------------------------------------------------------------

/** Needs the production webview bundle in dist/webview (bench/run.ts builds it first). */
export async function measureInspector(samples: number): Promise<InspectorBench> {
  if (samples < 7) throw new Error(`bench inspector: at least 7 samples, not ${samples}`);
  const rows = generateRows();
  const counts = Object.fromEntries(PAIR_STATUSES.map((status) => [status, 0])) as Record<PairStatusName, number>;
  const kinds: Record<string, number> = {};
  for (const row of rows) {
    counts[row.status]++;
    kinds[row.kind] = (kinds[row.kind] ?? 0) + 1;
  }
  const result: InspectorBench = {
    rows: rows.length, namespaces: NAMESPACES, counts, kinds, snapshotBytes: 0, stringifyMs: 0,
    firstPaintMs: [], handledMs: [], rowsInDom: 0, viewportHeight: 0,
    term: SEARCH_TERM, expectedCounts: expectedCounts(rows, SEARCH_TERM), shownCounts: [],
    keystrokeMs: [], keystrokeFromEventMs: [], keystrokeInputMs: [],
    consoleMessages: [], pageErrors: [], reportedErrors: [], cspViolations: [], missingResources: [],
  };
  const log: PageLog = { consoleMessages: new Map(), pageErrors: [], cspViolations: new Set(), reportedErrors: [] };
  try {
    await measureBrowser(rows, samples, result, log);
  } finally {
    result.consoleMessages = [...log.consoleMessages].map(([line, times]) => (times > 1 ? `${line} (×${times})` : line));
    result.pageErrors = log.pageErrors;
    result.reportedErrors = log.reportedErrors;
    result.cspViolations = [...log.cspViolations];
  }
  if (result.cspViolations.length > 0) {
    throw new Error(`bench inspector: the page broke its Content-Security-Policy:\n  ${result.cspViolations.join('\n  ')}`);
  }
  const kubectl = await measureKubectl(samples, INSPECTOR_ROWS);
  if (typeof kubectl === 'string') {
    console.log(`[bench] inspector: kubectl side by side skipped: ${kubectl}`);
    result.kubectlSkipped = kubectl;
  } else {
    result.kubectl = kubectl;
  }
  return result;
}
