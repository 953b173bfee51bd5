// Creates vClusters on a local host cluster with the real vcluster CLI, helm and chart, offline:
// the chart comes from the vcluster module's own folder (--local-chart-dir), the CLI's update
// check and telemetry are off, and its config lives in a private HOME, never the user's.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { runProcess, type RunResult } from '../../src/process/run';
import { SetupError } from './goBuild';
import type { HostBinaries } from './hostBinaries';
import type { HostCluster } from './hostCluster';
import { syncersDir } from './paths';
import { startSyncer, stopSyncer, type RunningSyncer } from './syncer';
import type { VClusterBinaries } from './vclusterBinaries';

export { stopVClusterSyncers } from './syncer';

/**
 * Values for a vCluster on a kwok host: the syncer's proxy on loopback only, and no telemetry.
 * Everything else is the chart's default, so the release is the usual StatefulSet with a volume
 * claim (createVCluster provides the volume, as a kwok host has no storage provisioner).
 */
export const LOCAL_HOST_VALUES = [
  'telemetry:',
  '  enabled: false',
  'controlPlane:',
  '  proxy:',
  '    bindAddress: 127.0.0.1',
  '',
].join('\n');

/**
 * The StatefulSet's claim data-NAME-0 and a volume for it, bound before the chart is installed: a
 * kwok host has no storage provisioner, and a pod first tried while its claim was unbound waits
 * minutes in the scheduler's back-off. (The syncer keeps its data elsewhere: see syncer.ts.)
 */
async function provideVolume(hostKubeconfig: string, name: string, namespace: string): Promise<void> {
  const config = new KubeConfig();
  config.loadFromFile(hostKubeconfig);
  const core = config.makeApiClient(CoreV1Api);
  const ignoreExisting = (error: { code?: number }) => {
    if (error.code !== 409) throw error;
  };
  const claimName = `data-${name}-0`;
  const volumeName = `${namespace}-${claimName}`.slice(0, 63);
  await core.createNamespace({ body: { metadata: { name: namespace } } }).catch(ignoreExisting);
  await core.createPersistentVolume({
    body: {
      metadata: { name: volumeName, labels: { 'vcluster-vscode/test-volume': 'true' } },
      spec: {
        capacity: { storage: '5Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: '',
        hostPath: { path: join(tmpdir(), volumeName) },
        claimRef: { namespace, name: claimName },
      },
    },
  }).catch(ignoreExisting);
  await core.createNamespacedPersistentVolumeClaim({
    namespace,
    body: {
      metadata: { name: claimName, labels: { app: 'vcluster', release: name } },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: '', volumeName, resources: { requests: { storage: '5Gi' } } },
    },
  }).catch(ignoreExisting);
  // The controller-manager's volume binder works on a cycle (1 s on our hosts, 15 s by default).
  const deadline = Date.now() + 90_000;
  while ((await core.readNamespacedPersistentVolumeClaim({ namespace, name: claimName })).status?.phase !== 'Bound') {
    if (Date.now() > deadline) throw new SetupError(`The volume claim ${namespace}/${claimName} was not bound within 90 s.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface VClusterCli {
  hostKubeconfig: string;
  run(args: string[], timeoutMs?: number): Promise<RunResult>;
  /** Removes the private HOME and scratch files. */
  dispose(): void;
}

/** The vcluster CLI against one host kubeconfig, isolated from the user's own settings. */
export function vclusterCli(binaries: VClusterBinaries, hostKubeconfig: string): VClusterCli {
  const scratch = mkdtempSync(join(tmpdir(), 'vcluster-cli-'));
  const home = join(scratch, 'home');
  mkdirSync(join(home, '.vcluster'), { recursive: true });
  const cliConfig = join(home, '.vcluster', 'config.json');
  writeFileSync(cliConfig, JSON.stringify({ telemetryDisabled: true }));
  // The CLI refuses to run `create` from a folder holding anything named "vcluster".
  const cwd = join(scratch, 'work');
  mkdirSync(cwd);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    KUBECONFIG: hostKubeconfig,
    VCLUSTER_SKIP_VERSION_CHECK: 'true',
    // The CLI runs `helm` from PATH (and would download one if it found none).
    PATH: `${dirname(binaries.helm)}:${process.env.PATH ?? ''}`,
  };
  return {
    hostKubeconfig,
    // --config (the CLI's own settings file) is a global flag: it goes before the subcommand.
    run: (args, timeoutMs = 120_000) => runProcess(binaries.vcluster, ['--config', cliConfig, ...args], { env, cwd, timeoutMs }),
    dispose: () => rmSync(scratch, { recursive: true, force: true }),
  };
}

/** `vcluster create NAME -n NAMESPACE --connect=false` with the local chart and LOCAL_HOST_VALUES. */
export async function createVCluster(cli: VClusterCli, binaries: VClusterBinaries, name: string, namespace: string): Promise<RunResult> {
  await provideVolume(cli.hostKubeconfig, name, namespace);
  const values = join(mkdtempSync(join(tmpdir(), 'vcluster-values-')), 'values.yaml');
  writeFileSync(values, LOCAL_HOST_VALUES);
  try {
    return await cli.run(['create', name, '--namespace', namespace, '--connect=false', '--local-chart-dir', binaries.chartDir, '--values', values]);
  } finally {
    rmSync(dirname(values), { recursive: true, force: true });
  }
}

export interface LocalVCluster {
  name: string;
  namespace: string;
  /** Kubeconfig of the virtual cluster, through the local syncer's proxy on 127.0.0.1. */
  kubeconfig: string;
  reused: boolean;
  syncer?: RunningSyncer;
}

/** Where the local syncer of vCluster `name` on host cluster `cluster` keeps its state. */
export function syncerDir(cluster: string, name: string): string {
  return join(syncersDir(cluster), name);
}

async function virtualApiAnswers(kubeconfig: string): Promise<boolean> {
  if (!existsSync(kubeconfig)) return false;
  try {
    const config = new KubeConfig();
    config.loadFromFile(kubeconfig);
    await config.makeApiClient(CoreV1Api).listNamespace();
    return true;
  } catch {
    return false;
  }
}

/**
 * A running vCluster on a local host cluster: created with the real CLI and chart (unless its
 * StatefulSet is already there), and its real syncer running locally (unless already answering).
 */
export async function upVCluster(options: {
  /** The host: its name (where the syncer keeps state) and kubeconfig are all that is used. */
  cluster: Pick<HostCluster, 'name' | 'kubeconfig'>;
  host: HostBinaries;
  vcluster: VClusterBinaries;
  name: string;
  namespace?: string;
  killOnExit: boolean;
  log?: (line: string) => void;
}): Promise<LocalVCluster> {
  const { cluster, name } = options;
  const namespace = options.namespace ?? `vcluster-${name}`;
  const log = options.log ?? (() => undefined);
  const dir = syncerDir(cluster.name, name);
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  if (await virtualApiAnswers(kubeconfig)) {
    log(`vCluster ${name} is already running: reusing it`);
    return { name, namespace, kubeconfig, reused: true };
  }
  await stopSyncer(dir);
  const hostConfig = new KubeConfig();
  hostConfig.loadFromFile(cluster.kubeconfig);
  const exists = await hostConfig.makeApiClient(AppsV1Api).readNamespacedStatefulSet({ namespace, name }).then(() => true, () => false);
  if (!exists) {
    const cli = vclusterCli(options.vcluster, cluster.kubeconfig);
    try {
      log(`vcluster create ${name} --namespace ${namespace} (local chart ${options.vcluster.chartDir})`);
      await createVCluster(cli, options.vcluster, name, namespace);
    } finally {
      cli.dispose();
    }
  }
  log(`starting the vCluster syncer for ${name} as a local process`);
  const syncer = await startSyncer({
    name, namespace, hostKubeconfig: cluster.kubeconfig, dir, killOnExit: options.killOnExit, host: options.host, vcluster: options.vcluster,
  });
  return { name, namespace, kubeconfig: syncer.kubeconfig, reused: false, syncer };
}
