import { spawnSync } from 'node:child_process';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KubeClient, kubeConfigForContext } from '../src/kube/client';
import { loadKubeconfig } from '../src/kube/kubeconfig';
import { discoverVClusters } from '../src/vcluster/discovery';
import { ensureHostBinaries } from '../test/env/hostBinaries';
import { downHostCluster, upHostCluster } from '../test/env/hostCluster';

/**
 * vCluster discovery on a real host (the local host cluster, kube-apiserver built here), side by
 * side with what a user would run: `kubectl get statefulsets,deployments,pods -A -l app=vcluster`
 * (the same three lists; `vcluster list` itself is not built until the next fixture). Both run
 * against the same API server in the same run; the result is the ratio of their medians.
 */
export interface DiscoveryBench {
  vclusters: number;
  extensionMs: number[];
  kubectlMs: number[];
}

async function seed(kubeConfig: KubeConfig, count: number): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  for (let index = 0; index < count; index++) {
    const namespace = `bench-vc-${index}`;
    const labels = { app: 'vcluster', release: `vc${index}` };
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    // Shaped as the chart's StatefulSet; kwok runs its pod (no container runs).
    await apps.createNamespacedStatefulSet({
      namespace,
      body: {
        metadata: { name: `vc${index}`, labels },
        spec: {
          serviceName: `vc${index}-headless`,
          replicas: 1,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'syncer', image: 'ghcr.io/loft-sh/vcluster-oss:0.26.0' }] } },
        },
      },
    });
  }
  const deadline = Date.now() + 120_000;
  for (;;) {
    const pods = await core.listPodForAllNamespaces({ labelSelector: 'app=vcluster' });
    if (pods.items.filter((pod) => pod.status?.phase === 'Running').length >= count) return;
    if (Date.now() > deadline) throw new Error('bench seed: pods did not all run within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function measureDiscovery(samples: number, count = 50): Promise<DiscoveryBench> {
  const binaries = await ensureHostBinaries();
  const name = `bench-${process.pid}`;
  const host = await upHostCluster(binaries, { name });
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(host.kubeconfig);
    await seed(kubeConfig, count);
    const loaded = await loadKubeconfig([host.kubeconfig]);
    if (loaded.state !== 'ok') throw new Error(`bench: cannot read ${host.kubeconfig}`);
    const context = loaded.contexts[0]!.name;
    const extensionMs: number[] = [];
    const kubectlMs: number[] = [];
    for (let index = 0; index < samples + 1; index++) {
      // The extension: a fresh client each time, as a refresh of the tree does.
      let started = performance.now();
      const client = new KubeClient(kubeConfigForContext(loaded.document, context));
      const result = await discoverVClusters({ client, hostContext: context, contextNamespace: undefined, signal: AbortSignal.timeout(30_000) });
      const extension = performance.now() - started;
      if (result.vclusters.length !== count) throw new Error(`bench: discovery found ${result.vclusters.length} of ${count}`);
      started = performance.now();
      const run = spawnSync(binaries.kubectl, ['--kubeconfig', host.kubeconfig, 'get', 'statefulsets,deployments,pods', '-A', '-l', 'app=vcluster', '-o', 'json'], { encoding: 'utf8', timeout: 30_000, maxBuffer: 64 * 1024 * 1024 });
      const kubectl = performance.now() - started;
      if (run.status !== 0) throw new Error(`bench: kubectl failed: ${run.stderr}`);
      // The first round warms both (TLS session, discovery cache); it is not counted.
      if (index > 0) {
        extensionMs.push(extension);
        kubectlMs.push(kubectl);
      }
    }
    return { vclusters: count, extensionMs, kubectlMs };
  } finally {
    await downHostCluster(name, binaries);
  }
}
