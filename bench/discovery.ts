import { spawnSync } from 'node:child_process';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KubeClient, kubeConfigForContext } from '../src/kube/client';
import { loadKubeconfig } from '../src/kube/kubeconfig';
import { discoverVClusters } from '../src/vcluster/discovery/discoverVClusters';
import { ensureHostBinaries } from '../test/env/hostBinaries';
import { downHostCluster, upHostCluster } from '../test/env/hostCluster';
import { ensureVClusterBinaries } from '../test/env/vclusterBinaries';
import { vclusterCli } from '../test/env/vclusterFixture';

/**
 * vCluster discovery on a real host (the local host cluster, kube-apiserver built here): 200
 * namespaces, 50 of them holding a vCluster-shaped StatefulSet and the other 150 an ordinary
 * Deployment with a pod. Each round times, against the same API server and kubeconfig:
 *   - the extension's discoverVClusters with a fresh client, as a refresh of the tree does;
 *   - the real vcluster CLI, `vcluster list --output json` (built from the pinned module, private
 *     HOME, telemetry and version check off), whose JSON must list the same 50 vClusters;
 *   - `kubectl get statefulsets,deployments,pods -A -l app=vcluster -o json`, the same three lists.
 * The first round warms all three (TLS, discovery caches, page cache) and is not counted; the
 * results are the ratios of the medians.
 *
 * The CLI makes two requests per vCluster (its config Secret, then its pods) after the two lists,
 * through client-go's default client-side rate limiter (5 requests/s after a burst of 10): about
 * 18 s for 50 vClusters, ~0.15 s for 5. The extension makes three list calls whatever the count.
 */
export interface DiscoveryBench {
  vclusters: number;
  namespaces: number;
  extensionMs: number[];
  cliMs: number[];
  kubectlMs: number[];
}

const SEED_BATCH = 10;
const SEED_DEADLINE_MS = 180_000;

function vclusterName(index: number): string {
  return `vc${index}`;
}

function namespaceName(index: number): string {
  return `bench-ns-${index}`;
}

async function seed(kubeConfig: KubeConfig, vclusters: number, namespaces: number): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const seedOne = async (index: number) => {
    const namespace = namespaceName(index);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    if (index < vclusters) {
      const name = vclusterName(index);
      const labels = { app: 'vcluster', release: name };
      // Shaped as the chart's StatefulSet; kwok runs its pod (no container runs).
      await apps.createNamespacedStatefulSet({
        namespace,
        body: {
          metadata: { name, labels },
          spec: {
            serviceName: `${name}-headless`,
            replicas: 1,
            selector: { matchLabels: labels },
            template: { metadata: { labels }, spec: { containers: [{ name: 'syncer', image: 'ghcr.io/loft-sh/vcluster-oss:0.26.0' }] } },
          },
        },
      });
    } else {
      // An ordinary workload, so the other namespaces are not empty for the lists to skip.
      const labels = { app: 'bench-web' };
      await apps.createNamespacedDeployment({
        namespace,
        body: {
          metadata: { name: 'web', labels },
          spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
          },
        },
      });
    }
  };
  for (let start = 0; start < namespaces; start += SEED_BATCH) {
    await Promise.all(Array.from({ length: Math.min(SEED_BATCH, namespaces - start) }, (_, offset) => seedOne(start + offset)));
  }
  const deadline = Date.now() + SEED_DEADLINE_MS;
  for (;;) {
    const pods = await core.listPodForAllNamespaces();
    const running = pods.items.filter((pod) => pod.metadata?.namespace?.startsWith('bench-ns-') && pod.status?.phase === 'Running').length;
    if (running >= namespaces) return;
    if (Date.now() > deadline) throw new Error(`bench seed: ${running} of ${namespaces} pods were Running after ${SEED_DEADLINE_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The CLI's JSON must name exactly the seeded vClusters (its fields are Go's: Name, Namespace…). */
function checkCliList(stdout: string, vclusters: number): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (error) {
    throw new Error(`bench: vcluster list --output json printed no JSON (${(error as Error).message}):\n${stdout.slice(0, 2000)}`);
  }
  if (!Array.isArray(parsed)) throw new Error(`bench: vcluster list --output json printed ${stdout.slice(0, 200)}…, not an array`);
  const expected = new Set(Array.from({ length: vclusters }, (_, index) => `${namespaceName(index)}/${vclusterName(index)}`));
  const found = new Set(parsed.map((entry: { Namespace?: string; Name?: string }) => `${entry.Namespace}/${entry.Name}`));
  const missing = [...expected].filter((key) => !found.has(key));
  if (parsed.length !== vclusters || missing.length > 0) {
    throw new Error(`bench: vcluster list found ${parsed.length} of ${vclusters}${missing.length ? `; missing ${missing.slice(0, 5).join(', ')}` : ''}`);
  }
}

export async function measureDiscovery(samples: number, vclusters = 50, namespaces = 200): Promise<DiscoveryBench> {
  const binaries = await ensureHostBinaries();
  const vclusterBinaries = await ensureVClusterBinaries();
  const name = `bench-${process.pid}`;
  // Discovery only: no syncer runs for the bench's hundreds of fake vCluster pods.
  const host = await upHostCluster(binaries, { name, nodeAgent: false });
  const cli = vclusterCli(vclusterBinaries, host.kubeconfig);
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(host.kubeconfig);
    await seed(kubeConfig, vclusters, namespaces);
    const loaded = await loadKubeconfig([host.kubeconfig]);
    if (loaded.state !== 'ok') throw new Error(`bench: cannot read ${host.kubeconfig}`);
    const context = loaded.contexts[0]!.name;
    const extensionMs: number[] = [];
    const cliMs: number[] = [];
    const kubectlMs: number[] = [];
    for (let index = 0; index < samples + 1; index++) {
      // The extension: a fresh client each time, as a refresh of the tree does.
      let started = performance.now();
      const client = new KubeClient(kubeConfigForContext(loaded.document, context));
      const result = await discoverVClusters({ client, hostContext: context, contextNamespace: undefined, signal: AbortSignal.timeout(30_000) });
      const extension = performance.now() - started;
      if (result.vclusters.length !== vclusters) throw new Error(`bench: discovery found ${result.vclusters.length} of ${vclusters}`);

      // The real CLI, against the same kubeconfig (KUBECONFIG is set by vclusterCli).
      started = performance.now();
      const listed = await cli.run(['list', '--output', 'json'], 60_000);
      const cliTime = performance.now() - started;
      checkCliList(listed.stdout, vclusters);

      started = performance.now();
      const run = spawnSync(binaries.kubectl, ['--kubeconfig', host.kubeconfig, 'get', 'statefulsets,deployments,pods', '-A', '-l', 'app=vcluster', '-o', 'json'], { encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
      const kubectl = performance.now() - started;
      if (run.status !== 0) throw new Error(`bench: kubectl failed: ${run.stderr}`);
      // The first round warms all three (TLS session, discovery cache); it is not counted.
      if (index > 0) {
        extensionMs.push(extension);
        cliMs.push(cliTime);
        kubectlMs.push(kubectl);
      }
    }
    return { vclusters, namespaces, extensionMs, cliMs, kubectlMs };
  } finally {
    cli.dispose();
    await downHostCluster(name, binaries);
  }
}
