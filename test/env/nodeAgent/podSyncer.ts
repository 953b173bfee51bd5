// Runs the real vCluster syncer (`vcluster start`) for one vCluster pod, as the pod's container
// would run it: the config rendered into Secret vc-config-NAME, POD_NAME/NAMESPACE/VCLUSTER_NAME/
// POD_IP/NODE_NAME, the control-plane binaries at /binaries and its data at /data. Those paths
// (and /root/.kube/config, which it overwrites) are hard-coded in the syncer, and so are its ports
// (6443, 8443, 10257, 2381, 10099): it runs in the pod's network namespace (podNetwork.ts) and in
// a private mount namespace where those paths are bind mounts of folders of ours. Nothing outside
// sees them; the machine's /root/.kube is untouched. A supervisor restarts it like kubelet.
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import type { HostBinaries } from '../hostBinaries';
import { killSupervisedNow, readSupervisedState, startSupervised, stopSupervised, supervisedPid, supervisorFiles, type SupervisedState } from '../supervisor';
import type { VClusterBinaries } from '../vclusterBinaries';

export interface PodSyncerSpec {
  /** Folder for the binaries links, config, host kubeconfig, log and supervisor state. */
  dir: string;
  /** The syncer's /data: the pod's volume (kept across restarts, pause and resume). */
  dataDir: string;
  vcluster: string;
  namespace: string;
  podName: string;
  podIp: string;
  nodeName: string;
  netns: string;
  /** The rendered vcluster.yaml from Secret vc-config-NAME. */
  config: Buffer;
  /** The host kubeconfig as this machine reads it (server on 127.0.0.1). */
  hostKubeconfig: string;
  /** Where the pod reaches the host API server: the bridge's gateway, same port (hostApiProxy.ts). */
  gateway: string;
  host: HostBinaries;
  binaries: VClusterBinaries;
}

/** The fixed mount points the syncer expects; created empty if missing (we only mount over them). */
const MOUNT_POINTS = ['/data', '/binaries', '/root/.kube'];

/**
 * The host kubeconfig as the pod sees it: the server at the gateway (the API server itself listens
 * on 127.0.0.1 only), its certificate still checked against the name it was issued for.
 */
export function podHostKubeconfig(hostKubeconfig: string, gateway: string): string {
  const document = parseDocument(readFileSync(hostKubeconfig, 'utf8'));
  const clusters = document.get('clusters') as { items?: Array<{ get(key: string): unknown }> } | undefined;
  for (const entry of clusters?.items ?? []) {
    const cluster = entry.get('cluster') as { get(key: string): unknown; set(key: string, value: unknown): void } | undefined;
    const server = cluster?.get('server');
    if (!cluster || typeof server !== 'string') continue;
    const url = new URL(server);
    cluster.set('tls-server-name', url.hostname);
    url.hostname = gateway;
    cluster.set('server', url.toString().replace(/\/$/, ''));
  }
  return document.toString();
}

export async function launchPodSyncer(spec: PodSyncerSpec): Promise<{ supervisorPid: number }> {
  const { dir } = spec;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(spec.dataDir, { recursive: true });
  const dirs = { binaries: join(dir, 'binaries'), kube: join(dir, 'root-kube') };
  for (const each of Object.values(dirs)) mkdirSync(each, { recursive: true });
  const links: Record<string, string> = {
    'kube-apiserver': spec.host.kubeApiserver,
    'kube-controller-manager': spec.host.kubeControllerManager,
    'kube-scheduler': spec.host.kubeScheduler,
    kine: spec.binaries.kine,
    helm: spec.binaries.helm,
  };
  for (const [link, target] of Object.entries(links)) symlinkSync(target, join(dirs.binaries, link));
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, spec.config, { mode: 0o600 });
  const kubeconfig = join(dir, 'host-kubeconfig.yaml');
  writeFileSync(kubeconfig, podHostKubeconfig(spec.hostKubeconfig, spec.gateway), { mode: 0o600 });
  for (const point of MOUNT_POINTS) if (!existsSync(point)) mkdirSync(point, { recursive: true });

  // A fixed script; every value reaches it as an argument, never as shell text.
  const script = 'mount --bind "$1" /data && mount --bind "$2" /binaries && mount --bind "$3" /root/.kube && shift 3 && exec "$@"';
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root' };
  Object.assign(env, {
    VCLUSTER_NAME: spec.vcluster, POD_NAME: spec.podName, NAMESPACE: spec.namespace, POD_IP: spec.podIp, NODE_NAME: spec.nodeName, KUBECONFIG: kubeconfig,
  });
  return startSupervised({
    dir,
    cwd: dir,
    command: 'ip',
    args: ['netns', 'exec', spec.netns, 'unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh',
      spec.dataDir, dirs.binaries, dirs.kube, spec.binaries.syncer, 'start', '--config', configFile],
    env,
  });
}

/** Stops the syncer whose folder this is (supervisor first, then its process group) and removes the folder. */
export async function stopPodSyncer(dir: string): Promise<void> {
  await stopSupervised(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** The synchronous form, for exit handlers: SIGKILL to supervisor and group, folder removed. */
export function killPodSyncerNow(dir: string): void {
  killSupervisedNow(dir);
  rmSync(dir, { recursive: true, force: true });
}

export interface PodSyncerView {
  dir: string;
  logFile: string;
  previousLogFile: string;
  /** The same logs in the CRI format, for kwok's `kubectl logs`. */
  criLogFile: string;
  previousCriLogFile: string;
  state(): SupervisedState | undefined;
  /** The current run's process group (changes when the supervisor restarts it); 0 while waiting. */
  readonly pid: number;
  logTail(lines?: number): string;
}

/** Reads a pod syncer's files (the agent owns it; tests and `cluster:status` only look). */
export function podSyncerView(dir: string): PodSyncerView {
  const files = supervisorFiles(dir);
  return {
    dir,
    logFile: files.log,
    previousLogFile: files.previousLog,
    criLogFile: files.criLog,
    previousCriLogFile: files.previousCriLog,
    state: () => readSupervisedState(dir),
    get pid() {
      return supervisedPid(dir) ?? 0;
    },
    logTail: (lines = 30) => (existsSync(files.log) ? readFileSync(files.log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : ''),
  };
}
