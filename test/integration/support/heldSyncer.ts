// Holds a vCluster's syncer stopped while its virtual cluster goes on serving, which is how a host
// object outlives its virtual object for real: the syncer process alone gets SIGSTOP, and its
// virtual control plane (kine and kube-apiserver, processes of their own in the pod) keeps
// answering. The syncer's proxy on the pod's port 8443 is frozen with it, and kube-apiserver
// listens on the pod's 127.0.0.1:6443 only, so the test reaches it through a TCP relay run inside
// the pod's network namespace. restartFresh() kills it where it stands (SIGKILL); the node agent's
// supervisor restarts it as kubelet would, with its data and without what it had in memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../src/kube/client';
import { podNetnsName } from '../../env/nodeAgent/podNetwork';
import type { LocalVCluster } from '../../env/vclusterFixture';

export interface HeldSyncer {
  /** The stopped syncer process. */
  pid: number;
  /** The virtual cluster's own API server, through the relay (the syncer is not in the way). */
  virtual: KubeClient;
  /** Where the relay listens (the pod IP): its certificate is checked as "kubernetes" or 127.0.0.1. */
  relayAddress: { host: string; port: number };
  /** The syncer's state letter from /proc ("T" while held). */
  state(): string | undefined;
  /**
   * SIGCONT to the syncer, the relay ended; safe to call twice. Resumed, the syncer acts on the
   * caches it held before the stop: v0.36.1, after orphans were deleted meanwhile, took the
   * missing host copy of a replaced object for a host-side delete and deleted the virtual
   * replacement, and deleted by name a host object made anew under an orphan's name. Tests that
   * go on with the vCluster use restartFresh() instead.
   */
  resume(): void;
  /** SIGKILL to the stopped syncer (its supervisor restarts it after kubelet's back-off), the relay ended. */
  restartFresh(): void;
}

/**
 * Listens on the pod IP (a free port, printed), and pipes each connection to kube-apiserver on
 * the pod's loopback. Exits when its stdin closes, so a test process that dies takes it along.
 */
const RELAY_SCRIPT = `
const net = require('node:net');
const server = net.createServer((client) => {
  const upstream = net.connect(6443, '127.0.0.1');
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
server.listen(0, process.argv[1], () => console.log(String(server.address().port)));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
`;

function processState(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ')[0];
  } catch {
    return undefined;
  }
}

export async function holdSyncerStopped(options: { clusterName: string; vcluster: LocalVCluster; host: KubeClient }): Promise<HeldSyncer> {
  const { vcluster, host } = options;
  const pid = vcluster.syncer.pid;
  const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  // Only ever stop the syncer itself: the run's group leader is `vcluster start` (podSyncer.ts execs it).
  if (!command[0]?.endsWith('vcluster-syncer') || command[1] !== 'start') throw new Error(`process ${pid} is not the syncer: ${command.join(' ')}`);
  const pod = await host.getJson<{ metadata?: { uid?: string } }>(`/api/v1/namespaces/${encodeURIComponent(vcluster.namespace)}/pods/${encodeURIComponent(`${vcluster.name}-0`)}`, {}, AbortSignal.timeout(15_000));
  const podUid = pod.metadata?.uid;
  if (!podUid) throw new Error(`pod ${vcluster.namespace}/${vcluster.name}-0 has no uid`);

  let relay: ChildProcess | undefined;
  let resumed = false;
  const resume = () => {
    relay?.kill('SIGKILL');
    relay = undefined;
    if (resumed) return;
    resumed = true;
    process.off('exit', resume);
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // gone already (the vCluster was removed)
    }
  };
  process.kill(pid, 'SIGSTOP');
  // A test process that exits in the middle must not leave the syncer frozen.
  process.on('exit', resume);
  try {
    relay = spawn('ip', ['netns', 'exec', podNetnsName(options.clusterName, podUid), process.execPath, '-e', RELAY_SCRIPT, vcluster.podIp], { stdio: ['pipe', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the relay did not start within 15 s')), 15_000);
      relay!.once('error', reject);
      relay!.once('exit', (code) => reject(new Error(`the relay exited (${code})`)));
      relay!.stdout!.once('data', (chunk: Buffer) => {
        clearTimeout(timer);
        resolve(Number(chunk.toString('utf8').trim()));
      });
    });
    const original = new KubeConfig();
    original.loadFromFile(vcluster.kubeconfig);
    const cluster = original.getCurrentCluster();
    const user = original.getCurrentUser();
    if (!cluster || !user) throw new Error(`${vcluster.kubeconfig} has no current cluster and user`);
    const direct = new KubeConfig();
    // kube-apiserver's serving certificate names "kubernetes" (not the pod IP): checked against it.
    direct.loadFromOptions({
      clusters: [{ ...cluster, server: `https://${vcluster.podIp}:${port}`, tlsServerName: 'kubernetes' }],
      users: [user],
      contexts: [{ name: 'virtual-api-server', cluster: cluster.name, user: user.name }],
      currentContext: 'virtual-api-server',
    });
    const restartFresh = () => {
      if (!resumed) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      resume();
    };
    return { pid, virtual: new KubeClient(direct), relayAddress: { host: vcluster.podIp, port }, state: () => processState(pid), resume, restartFresh };
  } catch (error) {
    resume();
    throw error;
  }
}
