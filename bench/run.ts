// `npm run bench`: the extension's size and speed, measured, reported as a table.
//   - bundle size of the production build (goal ≤ 1.5 MB minified)
//   - activation time in a real VS Code (code-server), as VS Code reports it (goal ≤ 50 ms)
//   - vCluster discovery (50 vClusters across 200 namespaces) on the real local host cluster,
//     side by side with the real `vcluster list --output json` (goal ≤ 0.5× the CLI's wall time)
//     and with kubectl's equivalent lists (goal: no slower), same host, same run, as ratios
// Results also go to test-output/bench.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureActivation } from './activation';
import { measureDiscovery } from './discovery';

const root = join(__dirname, '..');
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Two decimals, or two significant digits for ratios too small to show in two decimals. */
function formatRatio(ratio: number): string {
  return `${ratio < 0.1 ? ratio.toPrecision(2) : ratio.toFixed(2)}×`;
}

async function main(): Promise<void> {
  const build = spawnSync(process.execPath, [join(root, 'esbuild.js'), '--production'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`production build failed:\n${build.stderr}`);
  const extensionBytes = statSync(join(root, 'dist', 'extension.js')).size;
  const backendBytes = statSync(join(root, 'dist', 'backend.js')).size;
  const totalBytes = extensionBytes + backendBytes;
  const webviewBytes = statSync(join(root, 'dist', 'webview', 'main.js')).size;
  const { vscodeMs, selfMs } = await measureActivation(SAMPLES);
  const discovery = await measureDiscovery(Number(process.env.BENCH_DISCOVERY_SAMPLES ?? 10));
  const extensionMedian = median(discovery.extensionMs);
  const cliRatio = extensionMedian / median(discovery.cliMs);
  const discoveryRatio = extensionMedian / median(discovery.kubectlMs);

  const rows = [
    ['extension bundles, total (minified)', `${(totalBytes / 1024 / 1024).toFixed(2)} MB`, '≤ 1.5 MB', totalBytes <= 1.5 * 1024 * 1024 ? 'met' : 'MISSED'],
    ['  extension.js, loaded at activation', `${(extensionBytes / 1024).toFixed(1)} KB`, '-', '-'],
    ['  backend.js (Kubernetes client), loaded on first use', `${(backendBytes / 1024).toFixed(1)} KB`, '-', '-'],
    ['webview bundle (minified)', `${(webviewBytes / 1024).toFixed(1)} KB`, '-', '-'],
    [`activation, VS Code's figure (median of ${vscodeMs.length})`, `${median(vscodeMs)} ms`, '≤ 50 ms', median(vscodeMs) <= 50 ? 'met' : 'MISSED'],
    [`activation, bundle load to activate() end (median of ${selfMs.length})`, `${median(selfMs).toFixed(1)} ms`, '-', '-'],
    [`discovery of ${discovery.vclusters} vClusters in ${discovery.namespaces} namespaces on the local host, extension (median of ${discovery.extensionMs.length})`, `${extensionMedian.toFixed(1)} ms`, '-', '-'],
    ['  vcluster list --output json (real CLI), same host', `${median(discovery.cliMs).toFixed(1)} ms`, '-', '-'],
    ['  ratio extension / vcluster list', formatRatio(cliRatio), '≤ 0.5×', cliRatio <= 0.5 ? 'met' : 'MISSED'],
    ['  kubectl get statefulsets,deployments,pods -A -l app=vcluster -o json, same host', `${median(discovery.kubectlMs).toFixed(1)} ms`, '-', '-'],
    ['  ratio extension / kubectl', formatRatio(discoveryRatio), '≤ 1.0×', discoveryRatio <= 1 ? 'met' : 'MISSED'],
  ];
  console.log('\n| measure | result | goal | |\n| --- | --- | --- | --- |');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(`\nactivation samples (VS Code): ${vscodeMs.join(', ')} ms; (self): ${selfMs.map((value) => value.toFixed(1)).join(', ')} ms`);
  const joinMs = (values: number[]) => values.map((value) => value.toFixed(1)).join(', ');
  console.log(`discovery samples (extension): ${joinMs(discovery.extensionMs)} ms; (vcluster list): ${joinMs(discovery.cliMs)} ms; (kubectl): ${joinMs(discovery.kubectlMs)} ms`);
  mkdirSync(join(root, 'test-output'), { recursive: true });
  writeFileSync(join(root, 'test-output', 'bench.json'), JSON.stringify({ extensionBytes, backendBytes, webviewBytes, activation: { vscodeMs, selfMs }, discovery: { ...discovery, ratio: discoveryRatio, cliRatio } }, null, 2));
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
