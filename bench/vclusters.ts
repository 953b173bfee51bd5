// Real vClusters on the local host (the node agent runs each one's syncer), measured side by side:
//   - warm create → virtual API answering: the extension (its create with helm, then its Connect
//     by port-forward, then one request) vs the real CLI (`vcluster create`, then
//     `vcluster connect NAME -- kubectl get ns` until it works), same host, same run
//   - resident memory per vCluster (syncer with kine, kube-apiserver, controller-manager)
//   - how many fit in this machine's available memory at that size
//   - one request through the extension's port-forward vs straight to the pod's IP
import { freemem, totalmem } from 'node:os';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient, kubeConfigForContext } from '../src/kube/client';
import { loadKubeconfig } from '../src/kube/kubeconfig';
import { MemoryLogger } from '../src/process/log';
import * as core from '../src/coreBundle';
import { ConnectionsKubeconfig } from '../src/vcluster/connect/connectionsKubeconfig';
import { ensureHostBinaries } from '../test/env/hostBinaries';
import { downHostCluster, upHostCluster } from '../test/env/hostCluster';
import { residentMiB } from '../test/env/processes';
import { liveGroupMembers } from '../test/env/supervisor';
import { ensureVClusterBinaries } from '../test/env/vclusterBinaries';
import { createVCluster, podSyncerDir, removeVCluster, vclusterCli, waitForVirtualApi } from '../test/env/vclusterFixture';
import { podSyncerView } from '../test/env/nodeAgent/podSyncer';
import { createVClusterServices } from '../src/vcluster/vclusterServices';

export interface VClustersBench {
  extensionCreateMs: number[];
  cliCreateMs: number[];
  residentMiB: number[];
  availableMiB: number;
  totalMiB: number;
  portForwardMs: number[];
  directMs: number[];
}

function availableMiB(): number {
  const match = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
  return match ? Number(match[1]) / 1024 : freemem() / 1024 / 1024;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`bench: ${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function measureVClusters(samples = 3): Promise<VClustersBench> {
  const host = await ensureHostBinaries();
  const binaries = await ensureVClusterBinaries();
  const name = `bench-vc-${process.pid}`;
  const cluster = await upHostCluster(host, { name });
  const scratch = mkdtempSync(join(tmpdir(), 'bench-vclusters-'));
  const cli = vclusterCli(binaries, cluster.kubeconfig);
  const result: VClustersBench = { extensionCreateMs: [], cliCreateMs: [], residentMiB: [], availableMiB: 0, totalMiB: totalmem() / 1024 / 1024, portForwardMs: [], directMs: [] };
  try {
    const loaded = await loadKubeconfig([cluster.kubeconfig]);
    if (loaded.state !== 'ok') throw new Error('bench: cannot read the host kubeconfig');
    const hostContext = loaded.contexts[0]!.name;
    const actions = createVClusterServices({
      loadCoreBundle: async () => core,
      kubeconfig: () => ({ document: loaded.document, paths: [cluster.kubeconfig] }),
      tools: () => ({ helm: binaries.helm, vcluster: binaries.vcluster, preference: 'helm' }),
      chart: () => ({ localDir: binaries.chartDir }),
      connections: new ConnectionsKubeconfig(join(scratch, 'connections.kubeconfig'), async () => core),
      connectServers: () => ({}),
      logger: new MemoryLogger(),
      requestTimeoutMs: () => 5_000,
      provisionTimeoutMs: 180_000,
    });
    const kept: Array<{ namespace: string; name: string }> = [];
    try {
      for (let sample = 0; sample < samples; sample++) {
        // The extension: create (helm), Connect (its own port-forward), one request.
        const ext = { hostContext, name: `ext${sample}`, namespace: `bench-ext${sample}` };
        let started = performance.now();
        await actions.lifecycle.create({ ...ext, valuesFiles: [] });
        const connection = await until('the extension\'s connect', 240_000, () => actions.connector.connect(ext));
        const connections = await loadKubeconfig([actions.connector.connectionsFile]);
        if (connections.state !== 'ok') throw new Error('bench: cannot read the connections file');
        await until('the virtual API through the extension', 60_000, () => new KubeClient(kubeConfigForContext(connections.document, connection.context)).request('GET', '/api/v1/namespaces', {}, AbortSignal.timeout(5_000)));
        result.extensionCreateMs.push(performance.now() - started);

        // The CLI: create, then connect with a command until it works.
        const viaCli = { name: `cli${sample}`, namespace: `bench-cli${sample}` };
        started = performance.now();
        await createVCluster(cli, binaries, viaCli.name, viaCli.namespace);
        await until('vcluster connect -- kubectl get ns', 240_000, async () => {
          const run = await cli.run(['connect', viaCli.name, '--namespace', viaCli.namespace, '--background-proxy=false', '--', host.kubectl, 'get', 'namespaces', '-o', 'name'], 30_000);
          return run.stdout.includes('namespace/kube-system') ? true : undefined;
        });
        result.cliCreateMs.push(performance.now() - started);

        if (sample === samples - 1) {
          // Latency: the same request through the extension's port-forward and straight to the pod IP.
          const { kubeconfig } = await waitForVirtualApi({ cluster, name: ext.name, namespace: ext.namespace });
          const direct = new KubeConfig();
          direct.loadFromFile(kubeconfig);
          const directClient = new KubeClient(direct);
          const forwardClient = new KubeClient(kubeConfigForContext(connections.document, connection.context));
          for (let round = 0; round < 30; round++) {
            for (const [client, into] of [[forwardClient, result.portForwardMs], [directClient, result.directMs]] as const) {
              const at = performance.now();
              await client.request('GET', '/version', {}, AbortSignal.timeout(5_000));
              into.push(performance.now() - at);
            }
          }
        }
        kept.push({ namespace: ext.namespace, name: ext.name }, viaCli);
      }
      // Settled memory of each running vCluster (all of them run at once now).
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      for (const each of kept) {
        const pid = podSyncerView(podSyncerDir(cluster.name, each.namespace, each.name)).pid;
        result.residentMiB.push(liveGroupMembers(pid).reduce((sum, member) => sum + residentMiB(member), 0));
      }
      result.availableMiB = availableMiB();
    } finally {
      actions.dispose();
      for (const each of kept) await removeVCluster(cluster, each.namespace, each.name).catch(() => undefined);
    }
  } finally {
    cli.dispose();
    rmSync(scratch, { recursive: true, force: true });
    await downHostCluster(name, host);
  }
  return result;
}
