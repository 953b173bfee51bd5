// Runs the real vCluster syncer (`vcluster start`) as a local process for a vCluster the CLI
// created on a kwok host, where its pod is only faked. It gets what its pod would have: the config
// rendered into Secret vc-config-NAME, POD_NAME/NAMESPACE/VCLUSTER_NAME/POD_IP, the host kubeconfig,
// and the control-plane binaries at /binaries with its data at /data. Those paths (and
// /root/.kube/config, which it overwrites) are hard-coded in the syncer, so it runs in a private
// mount namespace (`unshare -m`, root only) where they are bind mounts of folders of ours: nothing
// outside the namespace sees them, the machine's /root/.kube is untouched.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { SetupError } from './goBuild';
import type { HostBinaries } from './hostBinaries';
import { syncersDir } from './paths';
import { killSupervisedNow, readSupervisedState, startSupervised, stopSupervised, supervisedPid, supervisorFiles, type SupervisedState } from './supervisor';
import type { VClusterBinaries } from './vclusterBinaries';

/** The syncer's proxy, as the chart's Service would expose it; the port is fixed by the syncer. */
export const SYNCER_PROXY = 'https://127.0.0.1:8443';

/**
 * How often the syncer may exit before it is ready until start-up counts as failed. One exit is a
 * known start-up race of the syncer (its virtual `kubernetes` Service's IP "already allocated"),
 * which a restart heals, as kubelet's restart heals it in a pod; three in a row is a real fault.
 */
const STARTUP_EXITS_ALLOWED = 2;

export interface RunningSyncer {
  /** Kubeconfig of the virtual cluster (from Secret vc-NAME, server pointed at the local proxy). */
  kubeconfig: string;
  /** Process group of the syncer's current run (it changes when the supervisor restarts it). */
  readonly pid: number;
  /** The supervisor that restarts the syncer with kubelet's back-off when it exits. */
  supervisorPid: number;
  logFile: string;
  logTail(lines?: number): string;
  /** Restarts, the last exit, and whether it runs or waits out its back-off. */
  state(): SupervisedState | undefined;
  stop(): Promise<void>;
}

export interface SyncerOptions {
  name: string;
  namespace: string;
  hostKubeconfig: string;
  /** Folder for the syncer's data, binaries links, config, log and state (emptied first). */
  dir: string;
  /** Kill the syncer when this process exits (tests); `cluster:up` leaves it running. */
  killOnExit: boolean;
  host: HostBinaries;
  vcluster: VClusterBinaries;
  readyTimeoutMs?: number;
}

/** The fixed mount points the syncer expects; created empty if missing (we only mount over them). */
const MOUNT_POINTS = ['/data', '/binaries', '/root/.kube'];

/**
 * Stops the syncer whose folder this is: its supervisor first (so nothing restarts it), then the
 * syncer's whole process group (it exits on SIGTERM without stopping kube-apiserver, kine and the
 * controller-manager it started). Then the folder is removed. Safe when it is already gone.
 */
export async function stopSyncer(dir: string): Promise<void> {
  await stopSupervised(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** The synchronous form, for process 'exit' handlers: SIGKILL to supervisor and group, folder removed. */
export function killSyncerNow(dir: string): void {
  killSupervisedNow(dir);
  rmSync(dir, { recursive: true, force: true });
}

function lastLines(file: string, lines: number): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '';
}

export async function startSyncer(options: SyncerOptions): Promise<RunningSyncer> {
  const { name, namespace, hostKubeconfig } = options;
  if (process.getuid?.() !== 0) {
    throw new SetupError('Running the vCluster syncer locally needs root: it expects /data, /binaries and /root/.kube, which are bind-mounted in a private mount namespace (unshare -m).');
  }
  const hostConfig = new KubeConfig();
  hostConfig.loadFromFile(hostKubeconfig);
  const core = hostConfig.makeApiClient(CoreV1Api);
  const secret = await core.readNamespacedSecret({ namespace, name: `vc-config-${name}` }).catch((error: { code?: number }) => {
    throw error.code === 404
      ? new SetupError(`There is no Secret ${namespace}/vc-config-${name}: create the vCluster first (vcluster create ${name} --namespace ${namespace}).`)
      : error;
  });
  const rendered = secret.data?.['config.yaml'];
  if (!rendered) throw new SetupError(`Secret ${namespace}/vc-config-${name} has no config.yaml: was the vCluster created with the chart?`);

  const scratch = options.dir;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const dirs = { data: join(scratch, 'data'), binaries: join(scratch, 'binaries'), kube: join(scratch, 'root-kube') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  const links: Record<string, string> = {
    'kube-apiserver': options.host.kubeApiserver,
    'kube-controller-manager': options.host.kubeControllerManager,
    'kube-scheduler': options.host.kubeScheduler,
    kine: options.vcluster.kine,
    helm: options.vcluster.helm,
  };
  for (const [link, target] of Object.entries(links)) symlinkSync(target, join(dirs.binaries, link));
  const configFile = join(scratch, 'config.yaml');
  writeFileSync(configFile, Buffer.from(rendered, 'base64'));
  for (const point of MOUNT_POINTS) if (!existsSync(point)) mkdirSync(point, { recursive: true });

  // A fixed script; every value reaches it as an argument, never as shell text.
  const script = 'mount --bind "$1" /data && mount --bind "$2" /binaries && mount --bind "$3" /root/.kube && shift 3 && exec "$@"';
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  Object.assign(env, { VCLUSTER_NAME: name, POD_NAME: `${name}-0`, NAMESPACE: namespace, POD_IP: '127.0.0.1', NODE_NAME: 'local', KUBECONFIG: hostKubeconfig });
  const { supervisorPid } = await startSupervised({
    dir: scratch,
    cwd: scratch,
    command: 'unshare',
    args: ['--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh',
      dirs.data, dirs.binaries, dirs.kube, options.vcluster.syncer, 'start', '--config', configFile],
    env,
  });
  const files = supervisorFiles(scratch);
  const logFile = files.log;
  const logTail = (lines = 30) => lastLines(logFile, lines);
  const state = () => readSupervisedState(scratch);
  const stop = () => stopSyncer(scratch);
  if (options.killOnExit) process.once('exit', () => killSupervisedNow(scratch));
  const running = (kubeconfig: string): RunningSyncer => ({
    kubeconfig, supervisorPid, logFile, logTail, state, stop,
    get pid() {
      return supervisedPid(scratch) ?? 0;
    },
  });

  // Ready when the syncer has written Secret vc-NAME and the virtual API answers through its proxy.
  const kubeconfig = join(scratch, 'kubeconfig.yaml');
  const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
  let lastProblem = 'no Secret vc-' + name + ' yet';
  for (;;) {
    const now = state();
    const exits = now ? now.restarts + (now.state === 'running' ? 0 : 1) : 0;
    if (now?.state === 'stopped' || exits > STARTUP_EXITS_ALLOWED) {
      const exit = now?.lastExit;
      const how = exit ? (exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`) : 'no exit status';
      const tail = logTail();
      await stop();
      throw new SetupError(`The vCluster syncer exited ${exits === 1 ? 'once' : `${exits} times`} during start-up, the last time with ${how}; it was restarted with kubelet's back-off and start-up gives up after ${STARTUP_EXITS_ALLOWED + 1} exits. Last log lines:\n${tail}`);
    }
    try {
      const virtual = await core.readNamespacedSecret({ namespace, name: `vc-${name}` });
      const config = virtual.data?.config ? Buffer.from(virtual.data.config, 'base64').toString('utf8') : undefined;
      if (config) {
        writeFileSync(kubeconfig, config.replace(/server:\s*\S+/g, `server: ${SYNCER_PROXY}`), { mode: 0o600 });
        const virtualConfig = new KubeConfig();
        virtualConfig.loadFromFile(kubeconfig);
        await virtualConfig.makeApiClient(CoreV1Api).listNamespace();
        return running(kubeconfig);
      }
    } catch (error) {
      lastProblem = (error as Error).message.split('\n')[0] ?? String(error);
    }
    if (Date.now() > deadline) {
      const tail = logTail();
      await stop();
      throw new SetupError(`The vCluster syncer did not become ready within ${Math.round((options.readyTimeoutMs ?? 180_000) / 1000)} s (${lastProblem}). Last log lines:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Stops every local syncer of a host cluster (before the host itself goes). */
export async function stopVClusterSyncers(cluster: string): Promise<void> {
  const root = syncersDir(cluster);
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) await stopSyncer(join(root, name));
  rmSync(root, { recursive: true, force: true });
}

/** Kills every local syncer of a host cluster at once (for process 'exit' handlers). */
export function killVClusterSyncersNow(cluster: string): void {
  const root = syncersDir(cluster);
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) killSyncerNow(join(root, name));
  rmSync(root, { recursive: true, force: true });
}
