// Creates vClusters on a local host cluster with the real vcluster CLI, helm and chart, offline:
// the chart comes from the vcluster module's own folder (--local-chart-dir), the CLI's update
// check and telemetry are off, and its config lives in a private HOME, never the user's. The
// host's node agent (nodeAgent/) runs the real syncer of every vCluster pod.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { runProcess, type RunResult } from '../../src/process/run';
import { SetupError } from './goBuild';
import type { HostCluster } from './hostCluster';
import { nodeAgentUnavailable, readAgentState, runningAgentPid } from './nodeAgent/control';
import { podSyncerView, type PodSyncerView } from './nodeAgent/podSyncer';
import { syncersDir, virtualKubeconfigsDir } from './paths';
import type { VClusterBinaries } from './vclusterBinaries';

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

/**
 * `vcluster create NAME -n NAMESPACE --connect=false` with the local chart and the chart's
 * defaults: on the local host the node agent provides the volume claim and runs the syncer.
 */
export async function createVCluster(cli: VClusterCli, binaries: VClusterBinaries, name: string, namespace: string, extraArgs: string[] = []): Promise<RunResult> {
  return cli.run(['create', name, '--namespace', namespace, '--connect=false', '--local-chart-dir', binaries.chartDir, ...extraArgs]);
}

export interface LocalVCluster {
  name: string;
  namespace: string;
  /** Kubeconfig of the virtual cluster, straight to its pod's IP (port 8443, the syncer's proxy). */
  kubeconfig: string;
  podIp: string;
  reused: boolean;
  /** The syncer the node agent runs for its pod (files only: the agent owns the process). */
  syncer: PodSyncerView;
  /** Deletes the vCluster (helm release, namespace) and waits until its syncer is gone. */
  remove(): Promise<void>;
}

/** Where the kubeconfig of vCluster NAME in NAMESPACE on host cluster `cluster` is written. */
export function virtualKubeconfigPath(cluster: string, namespace: string, name: string): string {
  return join(virtualKubeconfigsDir(cluster), `${namespace}.${name}.yaml`);
}

/** The folder in which the node agent runs the syncer of a vCluster's (StatefulSet) pod. */
export function podSyncerDir(cluster: string, namespace: string, name: string): string {
  return join(syncersDir(cluster), `${namespace}.${name}-0`);
}

/**
 * Waits until the vCluster's syncer (run by the node agent) answers at its pod's IP, and writes
 * its kubeconfig there: Secret vc-NAME's, with the server at the pod IP. Says what it waited for
 * and the syncer's last log lines when it gives up.
 */
export async function waitForVirtualApi(options: { cluster: Pick<HostCluster, 'name' | 'kubeconfig'>; name: string; namespace: string; timeoutMs?: number }): Promise<{ kubeconfig: string; podIp: string }> {
  const { cluster, name, namespace } = options;
  const hostConfig = new KubeConfig();
  hostConfig.loadFromFile(cluster.kubeconfig);
  const core = hostConfig.makeApiClient(CoreV1Api);
  const kubeconfig = virtualKubeconfigPath(cluster.name, namespace, name);
  mkdirSync(dirname(kubeconfig), { recursive: true });
  const timeoutMs = options.timeoutMs ?? 240_000;
  const deadline = Date.now() + timeoutMs;
  let lastProblem = `no Running pod ${namespace}/${name}-0 yet`;
  for (;;) {
    try {
      const pod = await core.readNamespacedPod({ namespace, name: `${name}-0` });
      const podIp = pod.status?.phase === 'Running' ? pod.status.podIP : undefined;
      if (!podIp) throw new Error(`pod ${namespace}/${name}-0 is ${pod.status?.phase ?? 'not scheduled'}`);
      const secret = await core.readNamespacedSecret({ namespace, name: `vc-${name}` });
      const config = secret.data?.config ? Buffer.from(secret.data.config, 'base64').toString('utf8') : undefined;
      if (!config) throw new Error(`Secret vc-${name} has no config yet`);
      writeFileSync(kubeconfig, config.replace(/server:\s*\S+/g, `server: https://${podIp}:8443`), { mode: 0o600 });
      const virtualConfig = new KubeConfig();
      virtualConfig.loadFromFile(kubeconfig);
      await virtualConfig.makeApiClient(CoreV1Api).listNamespace();
      return { kubeconfig, podIp };
    } catch (error) {
      lastProblem = (error as Error).message.split('\n')[0] ?? String(error);
    }
    if (Date.now() > deadline) {
      const view = podSyncerView(podSyncerDir(cluster.name, namespace, name));
      const agent = readAgentState(cluster.name)?.sandboxes.find((record) => record.namespace === namespace && record.podName === `${name}-0`);
      throw new SetupError(`vCluster ${namespace}/${name} did not answer within ${Math.round(timeoutMs / 1000)} s (${lastProblem}).${agent?.problem ? ` The node agent: ${agent.problem}.` : ''} Last syncer log lines:\n${view.logTail(30)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/**
 * Deletes a vCluster's namespace and waits (bounded) until the namespace is gone and the agent has
 * stopped its syncer: the next test on the same host must not find the vCluster still Terminating.
 */
export async function removeVCluster(cluster: Pick<HostCluster, 'name' | 'kubeconfig'>, namespace: string, name: string): Promise<void> {
  const hostConfig = new KubeConfig();
  hostConfig.loadFromFile(cluster.kubeconfig);
  const core = hostConfig.makeApiClient(CoreV1Api);
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  const dir = podSyncerDir(cluster.name, namespace, name);
  const deadline = Date.now() + 120_000;
  const namespaceGone = () => core.readNamespace({ name: namespace }).then(() => false, (error: { code?: number }) => error.code === 404);
  while ((existsSync(dir) || !await namespaceGone()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
  rmSync(virtualKubeconfigPath(cluster.name, namespace, name), { force: true });
}

/**
 * A running vCluster on a local host cluster: created with the real CLI and chart (unless its
 * StatefulSet is already there); the host's node agent runs its syncer.
 */
export async function upVCluster(options: {
  /** The host: its name (where the agent keeps state) and kubeconfig are all that is used. */
  cluster: Pick<HostCluster, 'name' | 'kubeconfig'>;
  vcluster: VClusterBinaries;
  name: string;
  namespace?: string;
  /** More `vcluster create` arguments (a values file: `--values`, PATH); unused when it exists already. */
  createArgs?: string[];
  log?: (line: string) => void;
}): Promise<LocalVCluster> {
  const { cluster, name } = options;
  const namespace = options.namespace ?? `vcluster-${name}`;
  const log = options.log ?? (() => undefined);
  if (!runningAgentPid(cluster.name)) {
    throw new SetupError(`The local host ${cluster.name} has no node agent running, so no syncer would run for vCluster ${name}. ${nodeAgentUnavailable() ?? 'Start the host again (npm run cluster:up) to start it.'}`);
  }
  const hostConfig = new KubeConfig();
  hostConfig.loadFromFile(cluster.kubeconfig);
  const exists = await hostConfig.makeApiClient(AppsV1Api).readNamespacedStatefulSet({ namespace, name }).then(() => true, () => false);
  if (!exists) {
    const cli = vclusterCli(options.vcluster, cluster.kubeconfig);
    try {
      log(`vcluster create ${name} --namespace ${namespace} (local chart ${options.vcluster.chartDir})`);
      await createVCluster(cli, options.vcluster, name, namespace, options.createArgs);
    } finally {
      cli.dispose();
    }
  } else {
    log(`vCluster ${name} exists: waiting for its syncer`);
  }
  const { kubeconfig, podIp } = await waitForVirtualApi({ cluster, name, namespace });
  return {
    name, namespace, kubeconfig, podIp, reused: exists,
    syncer: podSyncerView(podSyncerDir(cluster.name, namespace, name)),
    remove: () => removeVCluster(cluster, namespace, name),
  };
}
