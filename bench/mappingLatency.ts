import { spawn } from 'node:child_process';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { KubeClient, kubeConfigForContext } from '../src/kube/client';
import { loadKubeconfig } from '../src/kube/kubeconfig';
import { watchList } from '../src/kube/watch';
import { MemoryLogger } from '../src/process/log';
import { MappingSource } from '../src/vcluster/mapping/mappingSource';
import { hostName } from '../src/vcluster/mapping/hostNames';
import { ensureHostBinaries } from '../test/env/hostBinaries';
import { downHostCluster, upHostCluster } from '../test/env/hostCluster';
import { ensureVClusterBinaries } from '../test/env/vclusterBinaries';
import { upVCluster } from '../test/env/vclusterFixture';
import { scaleDeployment } from '../test/env/virtualWorkloads';

/**
 * From the syncer creating a host pod to the extension knowing its pair, side by side with
 * `kubectl get pods --watch` on the same host in the same run. The reference moment is the ADDED
 * event of a plain watch in this process (creationTimestamp has whole seconds only). One pod at
 * a time is added in the virtual cluster (a Deployment scaled up step by step); the real syncer
 * makes each host pod.
 */
export interface MappingLatencyBench {
  pods: number;
  extensionMs: number[];
  kubectlMs: number[];
}

export async function measureMappingLatency(pods = 10): Promise<MappingLatencyBench> {
  const host = await ensureHostBinaries();
  const name = `bench-lat-${process.pid}`;
  const cluster = await upHostCluster(host, { name });
  const abort = new AbortController();
  let kubectl: ReturnType<typeof spawn> | undefined;
  let source: MappingSource | undefined;
  try {
    const vcluster = await upVCluster({ cluster, vcluster: await ensureVClusterBinaries(), name: 'lat' });
    const namespace = vcluster.namespace;
    const loaded = await loadKubeconfig([cluster.kubeconfig]);
    if (loaded.state !== 'ok') throw new Error('bench: cannot read the host kubeconfig');
    const hostClient = new KubeClient(kubeConfigForContext(loaded.document, loaded.contexts[0]!.name));

    const added = new Map<string, number>();
    const known = new Map<string, number>();
    const printed = new Map<string, number>();
    void watchList(hostClient, `/api/v1/namespaces/${namespace}/pods`, {}, {
      onRelist: (items) => { for (const item of items) if (!added.has(item.metadata?.name ?? '')) added.set(item.metadata?.name ?? '', 0); },
      onEvent: (type, object) => { if (type === 'ADDED' && !added.has(object.metadata?.name ?? '')) added.set(object.metadata?.name ?? '', performance.now()); },
    }, abort.signal);
    source = new MappingSource({ vclusterName: 'lat', hostNamespace: namespace, hostClient, logger: new MemoryLogger() });
    source.onDidChange(() => {
      const now = performance.now();
      for (const pair of source!.pairs) if (pair.host && pair.kind === 'Pod' && !known.has(pair.host.name)) known.set(pair.host.name, now);
    });
    source.start();
    kubectl = spawn(host.kubectl, ['--kubeconfig', cluster.kubeconfig, 'get', 'pods', '--namespace', namespace, '--watch', '--output', 'name'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let partial = '';
    kubectl.stdout!.on('data', (chunk: Buffer) => {
      const now = performance.now();
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const podName = line.trim().replace(/^pod\//, '');
        if (podName && !printed.has(podName)) printed.set(podName, now);
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const virtual = new KubeConfig();
    virtual.loadFromFile(vcluster.kubeconfig);
    const apps = virtual.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({ namespace: 'default', body: {
      metadata: { name: 'lat' },
      spec: { replicas: 0, selector: { matchLabels: { app: 'lat' } }, template: { metadata: { labels: { app: 'lat' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    } });
    const extensionMs: number[] = [];
    const kubectlMs: number[] = [];
    for (let replicas = 1; replicas <= pods; replicas++) {
      await scaleDeployment(apps, 'lat', replicas);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const fresh = [...added.entries()].filter(([podName, at]) => at > 0 && podName.endsWith('-x-default-x-lat'));
        const done = fresh.filter(([podName]) => known.has(podName) && printed.has(podName));
        if (done.length >= replicas) break;
        if (Date.now() > deadline) throw new Error(`bench: pod ${replicas} was not seen by both within 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    for (const [podName, at] of added) {
      if (at === 0 || !podName.endsWith('-x-default-x-lat')) continue;
      // The pairs carry the syncer's host name, computed by the extension itself.
      if (!podName.startsWith('lat-') || hostName(podName.replace(/-x-default-x-lat$/, ''), 'default', 'lat') !== podName) continue;
      extensionMs.push(known.get(podName)! - at);
      kubectlMs.push(printed.get(podName)! - at);
    }
    if (extensionMs.length !== pods) throw new Error(`bench: measured ${extensionMs.length} of ${pods} pods`);
    return { pods, extensionMs, kubectlMs };
  } finally {
    abort.abort();
    source?.dispose();
    kubectl?.kill();
    await downHostCluster(name, host);
  }
}
