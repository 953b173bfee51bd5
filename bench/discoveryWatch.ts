import { spawnSync } from 'node:child_process';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KubeClient, kubeConfigForContext } from '../src/kube/client';
import { loadKubeconfig } from '../src/kube/kubeconfig';
import { MemoryLogger } from '../src/process/log';
import { ClusterInventory } from '../src/vcluster/discovery/inventory';
import { PAUSED_ANNOTATION } from '../src/vcluster/identity';
import { ensureHostBinaries } from '../test/env/hostBinaries';
import { downHostCluster, upHostCluster } from '../test/env/hostCluster';
import { ensureVClusterBinaries } from '../test/env/vclusterBinaries';
import { vclusterCli, type VClusterCli } from '../test/env/vclusterFixture';

/**
 * Discovery by watch on a real host (the local host cluster, kube-apiserver built here), two
 * figures in one run:
 *
 * (a) A status change on the host → known: a vCluster's workload gets (or loses) the pause
 *     annotation, as `vcluster pause`/`resume` do first. Timed from just before the PATCH is sent
 *     to the watching ClusterInventory reporting the new status, and to the first run of the real
 *     `vcluster list --output json`, looping back to back meanwhile, that prints it. Same host,
 *     same moment, as a ratio. The tree adds its 50 ms coalescing on top (the E2E measures the
 *     tree itself).
 *
 * (b) What an idle watching inventory asks of the host, counted by the API server itself
 *     (`/metrics`: apiserver_request_total, LIST and WATCH of StatefulSets, Deployments and pods at
 *     the cluster scope, where the inventory looks). The host's own controllers share these
 *     counters, so the same window is first counted without the inventory (baseline). A WATCH is
 *     counted when it ends (a reconnect); apiserver_longrunning_requests shows those open.
 *     The window is 5 minutes; the bench uses BENCH_IDLE_SECONDS (60 unless set, 300 for
 *     the figure).
 */
export interface DiscoveryWatchBench {
  vclusters: number;
  extensionMs: number[];
  cliMs: number[];
  /** How many `vcluster list` runs the loop made, and their median duration. */
  cliRuns: number;
  cliRunMs: number;
  idleSeconds: number;
  /** Request counts (deltas) over each phase; `open` is the gauge of open watches after it. */
  baseline: RequestCounts;
  initial: RequestCounts;
  idle: RequestCounts;
}

export interface RequestCounts {
  list: number;
  watch: number;
  openWatches: number;
}

const RESOURCES = new Set(['statefulsets', 'deployments', 'pods']);
const CHANGE_TIMEOUT_MS = 60_000;

function namespaceName(index: number): string {
  return `bench-watch-${index}`;
}

async function seed(kubeConfig: KubeConfig, vclusters: number): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  await Promise.all(Array.from({ length: vclusters }, async (_, index) => {
    const namespace = namespaceName(index);
    const name = `vc${index}`;
    const labels = { app: 'vcluster', release: name };
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    // Shaped as the chart's StatefulSet; kwok runs its pod (no container runs).
    await apps.createNamespacedStatefulSet({
      namespace,
      body: {
        metadata: { name, labels },
        spec: {
          serviceName: `${name}-headless`, replicas: 1, selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'syncer', image: 'ghcr.io/loft-sh/vcluster-oss:0.26.0' }] } },
        },
      },
    });
  }));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const pods = await core.listPodForAllNamespaces({ labelSelector: 'app=vcluster' });
    const running = pods.items.filter((pod) => pod.status?.phase === 'Running').length;
    if (running >= vclusters) return;
    if (Date.now() > deadline) throw new Error(`bench seed: ${running} of ${vclusters} pods Running after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** LIST and WATCH counts and open watches of the three collections at the cluster scope, from the API server's /metrics. */
function scrape(kubectl: string, kubeconfig: string): RequestCounts {
  const run = spawnSync(kubectl, ['--kubeconfig', kubeconfig, 'get', '--raw', '/metrics'], { encoding: 'utf8', timeout: 30_000, maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`bench: kubectl get --raw /metrics failed: ${run.stderr}`);
  const counts: RequestCounts = { list: 0, watch: 0, openWatches: 0 };
  let sawRequests = false;
  for (const line of run.stdout.split('\n')) {
    const match = /^(apiserver_request_total|apiserver_longrunning_requests)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((label) => [label[1]!, label[2]!]));
    if (!RESOURCES.has(labels.resource ?? '') || labels.scope !== 'cluster' || labels.subresource) continue;
    const value = Number(match[3]);
    if (match[1] === 'apiserver_request_total') {
      sawRequests = true;
      if (labels.verb === 'LIST') counts.list += value;
      if (labels.verb === 'WATCH') counts.watch += value;
    } else if (labels.verb === 'WATCH') {
      counts.openWatches += value;
    }
  }
  if (!sawRequests) throw new Error('bench: the API server\'s /metrics has no apiserver_request_total for StatefulSets, Deployments or pods');
  return counts;
}

function delta(after: RequestCounts, before: RequestCounts): RequestCounts {
  return { list: after.list - before.list, watch: after.watch - before.watch, openWatches: after.openWatches };
}

/** `vcluster list --output json` back to back until stopped, telling each finished run's statuses. */
function loopCliList(cli: VClusterCli, onRun: (statuses: Map<string, string>, finishedAt: number) => void): { stop(): Promise<void>; runs: number[] } {
  let stopped = false;
  const runs: number[] = [];
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      const result = await cli.run(['list', '--output', 'json'], 60_000);
      const finished = performance.now();
      runs.push(finished - started);
      const entries = JSON.parse(result.stdout) as Array<{ Name?: string; Namespace?: string; Status?: string }>;
      onRun(new Map(entries.map((entry) => [`${entry.Namespace}/${entry.Name}`, entry.Status ?? ''])), finished);
    }
  })();
  return {
    runs,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

export async function measureDiscoveryWatch(samples: number, options: { vclusters?: number; idleSeconds?: number } = {}): Promise<DiscoveryWatchBench> {
  const vclusters = options.vclusters ?? 5;
  const idleSeconds = options.idleSeconds ?? 60;
  const binaries = await ensureHostBinaries();
  const name = `bench-watch-${process.pid}`;
  const host = await upHostCluster(binaries, { name, nodeAgent: false });
  const cli = vclusterCli(await ensureVClusterBinaries(), host.kubeconfig);
  const logger = new MemoryLogger();
  const inventory = new ClusterInventory({
    kubeconfigPaths: () => [host.kubeconfig],
    requestTimeoutMs: () => 10_000,
    logger,
    loadCoreBundle: () => import('../src/coreBundle'),
  });
  let cliLoop: ReturnType<typeof loopCliList> | undefined;
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(host.kubeconfig);
    await seed(kubeConfig, vclusters);
    const metrics = () => scrape(binaries.kubectl, host.kubeconfig);

    // (b) The same idle window without, then with, the watching inventory.
    const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const beforeBaseline = metrics();
    await sleep(idleSeconds);
    const beforeInventory = metrics();
    inventory.setWatching(true);
    await inventory.refresh();
    const hostContext = inventory.snapshot.hosts[0]?.context.name;
    if (inventory.knownVClusters().length !== vclusters || !hostContext) throw new Error(`bench: the inventory found ${inventory.knownVClusters().length} of ${vclusters} vClusters`);
    // The watch requests are made right after the lists.
    await sleep(1);
    const afterInitial = metrics();
    await sleep(idleSeconds);
    const afterIdle = metrics();

    // (a) Status changes, the inventory beside `vcluster list` in a loop.
    const loaded = await loadKubeconfig([host.kubeconfig]);
    if (loaded.state !== 'ok') throw new Error('bench: cannot read the host kubeconfig');
    const client = new KubeClient(kubeConfigForContext(loaded.document, hostContext));
    let cliSeen: ((statuses: Map<string, string>, finishedAt: number) => void) | undefined;
    cliLoop = loopCliList(cli, (statuses, finishedAt) => cliSeen?.(statuses, finishedAt));
    const extensionMs: number[] = [];
    const cliMs: number[] = [];
    for (let index = 0; index < samples; index++) {
      const target = index % vclusters;
      const ref = { hostContext, namespace: namespaceName(target), name: `vc${target}` };
      const pausing = inventory.findVCluster(ref)?.status !== 'Paused';
      const expected = pausing ? 'Paused' : 'Running';
      const started = performance.now();
      const extensionSaw = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`bench: the inventory did not show ${ref.name} ${expected} within ${CHANGE_TIMEOUT_MS / 1000} s`)), CHANGE_TIMEOUT_MS);
        const subscription = inventory.onDidChange(() => {
          if (inventory.findVCluster(ref)?.status !== expected) return;
          clearTimeout(timer);
          subscription.dispose();
          resolve(performance.now());
        });
      });
      const cliSaw = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`bench: vcluster list did not print ${ref.name} ${expected} within ${CHANGE_TIMEOUT_MS / 1000} s`)), CHANGE_TIMEOUT_MS);
        cliSeen = (statuses, finishedAt) => {
          if (statuses.get(`${ref.namespace}/${ref.name}`) !== expected) return;
          clearTimeout(timer);
          cliSeen = undefined;
          resolve(finishedAt);
        };
      });
      await client.request('PATCH', `/apis/apps/v1/namespaces/${ref.namespace}/statefulsets/${ref.name}`, {
        body: { metadata: { annotations: { [PAUSED_ANNOTATION]: pausing ? 'true' : null } } },
      }, AbortSignal.timeout(10_000));
      const [extensionAt, cliAt] = await Promise.all([extensionSaw, cliSaw]);
      extensionMs.push(extensionAt - started);
      cliMs.push(cliAt - started);
    }
    await cliLoop.stop();
    const runs = [...cliLoop.runs].sort((a, b) => a - b);
    cliLoop = undefined;
    return {
      vclusters, extensionMs, cliMs, cliRuns: runs.length, cliRunMs: runs[Math.floor(runs.length / 2)] ?? 0, idleSeconds,
      baseline: delta(beforeInventory, beforeBaseline),
      initial: delta(afterInitial, beforeInventory),
      idle: delta(afterIdle, afterInitial),
    };
  } finally {
    await cliLoop?.stop().catch(() => undefined);
    inventory.dispose();
    cli.dispose();
    await downHostCluster(name, binaries);
  }
}
