// Run as its own process by test/integration/mapping.test.ts: starts a MappingSource against the
// real host and virtual cluster, waits until it is ready, calls stop() and returns from main
// without process.exit. If any socket or timer of the source outlived stop(), this process would
// not exit on its own; the parent test measures that it does.
// Usage: node --import tsx mappingSourceExit.ts HOST_KUBECONFIG VIRTUAL_KUBECONFIG VCLUSTER HOST_NAMESPACE
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../src/kube/client';
import { MemoryLogger } from '../../../src/process/log';
import { MappingSource } from '../../../src/vcluster/mapping/mappingSource';

const [hostKubeconfig, virtualKubeconfig, vclusterName, hostNamespace] = process.argv.slice(2);
if (!hostKubeconfig || !virtualKubeconfig || !vclusterName || !hostNamespace) throw new Error('usage: HOST_KUBECONFIG VIRTUAL_KUBECONFIG VCLUSTER HOST_NAMESPACE');

function client(path: string): KubeClient {
  const config = new KubeConfig();
  config.loadFromFile(path);
  return new KubeClient(config);
}

async function main(): Promise<void> {
  const source = new MappingSource({ vclusterName, hostNamespace, hostClient: client(hostKubeconfig!), virtualClient: client(virtualKubeconfig!), logger: new MemoryLogger() });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within 30 s: ${JSON.stringify(source.status)}`)), 30_000);
    const listener = source.onDidChange(() => {
      if (source.status.state === 'ready' && source.status.virtualReachable) {
        clearTimeout(timer);
        listener.dispose();
        resolve();
      }
    });
  });
  source.start();
  await ready;
  console.log(JSON.stringify({ ready: true, pairs: source.pairs.length }));
  source.stop();
  source.dispose();
  console.log(JSON.stringify({ stopped: true, at: Date.now() }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
  // A failure may leave the source running: this path is allowed to force the exit.
  setTimeout(() => process.exit(1), 100).unref();
});
