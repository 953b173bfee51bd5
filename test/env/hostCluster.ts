// Starts and stops local host clusters: kwokctl's binary runtime running the Kubernetes control
// plane and etcd built by hostBinaries.ts, with kwok faking nodes and kubelets. Everything binds to
// 127.0.0.1; state, certificates, logs and the kubeconfig live under the cache root, never in ~/.kube.
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { versions } from '../../scripts/lib/versions.mjs';
import { freePort } from '../../scripts/lib/codeServer';
import { ProcessError, ProcessFailedError, runProcess } from '../../src/process/run';
import { SetupError } from './goBuild';
import type { HostBinaries } from './hostBinaries';
import { clusterDir, kwokWorkdir } from './paths';
import { findProcesses, isAlive } from './processes';
import { killNodeAgentNow, nodeAgentUnavailable, startNodeAgent, stopNodeAgent } from './nodeAgent/control';
import { claimedNetwork, claimNetwork, removeClusterNetworkNow } from './nodeAgent/podNetwork';
import { ensureVClusterBinaries } from './vclusterBinaries';

export { clusterDir, kwokWorkdir } from './paths';
export { findProcesses, isAlive } from './processes';

export const COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok-controller'] as const;
const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

export interface HostClusterOptions {
  name: string;
  /** Fake nodes to create (at least 2 by default). */
  nodes?: number;
  /** Port of the API server on 127.0.0.1; a free one is picked when absent. */
  apiserverPort?: number;
  /** Start the node agent that runs each vCluster pod's syncer (default: yes, when root). */
  nodeAgent?: boolean;
  /** More kube-apiserver flags, `name=value` (a fault test turns the watch cache off). */
  apiserverArgs?: string[];
  log?: (line: string) => void;
}

export interface HostCluster {
  name: string;
  kubeconfig: string;
  server: string;
  dir: string;
  reused: boolean;
  /** The pod address range, when the node agent runs (vCluster pods are real there). */
  podCidr?: string;
}

export function validateClusterName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new SetupError(`"${name}" is not a valid cluster name: use 1-40 lowercase letters, digits and '-', starting and ending with a letter or digit.`);
  }
}

function kwokEnv(binaries: HostBinaries): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KWOK_WORKDIR: kwokWorkdir(),
    // kwokctl derives component flags from this; it must match the binaries we built.
    KWOK_KUBE_VERSION: versions.kubernetes,
    // kwokctl calls kubectl (and would download one from dl.k8s.io if it found none).
    KWOK_KUBECTL_BINARY: binaries.kubectl,
    PATH: `${dirname(binaries.kubectl)}:${process.env.PATH ?? ''}`,
  };
}

export async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE'
        ? new SetupError(`Port ${port} on 127.0.0.1 is already in use. Stop what listens there (ss -ltnp 'sport = :${port}' shows it) or choose another port, or leave the port out to get a free one.`)
        : error);
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

function processArgv0(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
  } catch {
    return undefined;
  }
}

/** Pids from kwokctl's pid files that are still alive and still ours (pids can be reused). */
function livePids(dir: string): Map<string, number> {
  const live = new Map<string, number>();
  for (const component of COMPONENTS) {
    const file = join(dir, 'pids', `${component}.pid`);
    if (!existsSync(file)) continue;
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && processArgv0(pid)?.startsWith(join(dir, 'bin'))) live.set(component, pid);
  }
  return live;
}

/** Every process whose program lives under this work dir: the net that catches orphans. */
function processesUnder(root: string): number[] {
  return findProcesses((argv, pid) => {
    let exe: string | undefined;
    try {
      exe = readlinkSync(`/proc/${pid}/exe`);
    } catch {
      exe = undefined;
    }
    return argv[0]!.startsWith(`${root}/`) || (exe?.startsWith(`${root}/`) ?? false);
  });
}

async function killAll(pids: number[], graceMs = 5_000): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + graceMs;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const pid of pids.filter(isAlive)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function logTail(dir: string, component: string, lines = 15): string {
  const file = join(dir, 'logs', `${component}.log`);
  if (!existsSync(file)) return `    (no log at ${file})`;
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).map((line) => `    ${line}`).join('\n');
}

/** Says which component died (with its last log lines) or, if all run, what the API server said. */
/** kwokctl logs JSON lines; its ERROR lines' message and error are what a person needs to read. */
export function kwokctlError(error: unknown): string {
  if (!(error instanceof ProcessError)) return String(error);
  const output = error instanceof ProcessFailedError ? `${error.result.stderr}\n${error.result.stdout}` : error.message;
  const errors = output.split('\n').flatMap((line) => {
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string; err?: string };
      return entry.level === 'ERROR' ? [`${entry.msg ?? 'error'}${entry.err ? `: ${entry.err.trim()}` : ''}`] : [];
    } catch {
      return [];
    }
  });
  const unique = [...new Set(errors)];
  return unique.length > 0 ? `kwokctl failed:\n${unique.map((line) => `    ${line}`).join('\n')}` : error.message;
}

function deadComponents(dir: string): string[] {
  const live = livePids(dir);
  return COMPONENTS.filter((component) => existsSync(join(dir, 'pids', `${component}.pid`)) && !live.has(component));
}

export function explainFailure(dir: string): string {
  const dead = deadComponents(dir);
  const shown = dead.length > 0 ? dead : ['kube-apiserver'];
  return shown.map((component) => `${component} ${dead.includes(component) ? 'exited early' : 'log'} (${join(dir, 'logs', `${component}.log`)}), last lines:\n${logTail(dir, component)}`).join('\n');
}

async function kubectl(binaries: HostBinaries, kubeconfig: string, args: string[], timeoutMs = 15_000): Promise<string> {
  const result = await runProcess(binaries.kubectl, ['--kubeconfig', kubeconfig, '--request-timeout', `${Math.ceil(timeoutMs / 1000)}s`, ...args], { timeoutMs: timeoutMs + 5_000 });
  return result.stdout;
}

async function isHealthy(binaries: HostBinaries, dir: string): Promise<boolean> {
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  if (!existsSync(kubeconfig) || livePids(dir).size !== COMPONENTS.length) return false;
  try {
    return (await kubectl(binaries, kubeconfig, ['get', '--raw', '/readyz'], 5_000)).trim() === 'ok';
  } catch {
    return false;
  }
}

async function readyNodeCount(binaries: HostBinaries, kubeconfig: string): Promise<number> {
  const json = JSON.parse(await kubectl(binaries, kubeconfig, ['get', 'nodes', '-o', 'json'])) as {
    items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }>;
  };
  return json.items.filter((node) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
}

function serverOf(kubeconfig: string): string {
  return /server:\s*(\S+)/.exec(readFileSync(kubeconfig, 'utf8'))?.[1] ?? '';
}

/** Starts the named host cluster, or reuses it when it is already up and healthy. */
export async function upHostCluster(binaries: HostBinaries, options: HostClusterOptions, attempt = 1): Promise<HostCluster> {
  const { name, nodes = 2 } = options;
  const log = options.log ?? (() => undefined);
  validateClusterName(name);
  const dir = clusterDir(name);
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  const env = kwokEnv(binaries);

  let reused = false;
  // A host from before the node agent (kwok's default pod range, no Logs rules) is started anew.
  const configFile = join(kwokWorkdir(), `kwokctl-${name}.yaml`);
  const current = existsSync(configFile) && readFileSync(configFile, 'utf8').includes('ClusterLogs');
  if (existsSync(dir) && current && await isHealthy(binaries, dir)) {
    reused = true;
    log(`host cluster ${name} is already running: reusing it`);
  } else {
    if (existsSync(dir)) {
      log(`host cluster ${name} was left behind (crashed or killed): removing it`);
      await downHostCluster(name, binaries);
    }
    const port = options.apiserverPort ?? await freePort();
    await assertPortFree(port);
    // A configuration file of our own: every component binds to loopback, and kwokctl never reads
    // the user's ~/.kwok/kwok.yaml.
    // A pod address range of this host's own, so the node agent can carry it on a bridge and two
    // local hosts never hand out the same pod IPs.
    const network = claimNetwork(name);
    writeFileSync(configFile, [
      'apiVersion: config.kwok.x-k8s.io/v1alpha1',
      'kind: KwokctlConfiguration',
      'options:',
      '  bindAddress: 127.0.0.1',
      // kwok's port-forward rules: a test can route `port-forward pod/X 8443` through the real
      // API server and kwok's kubelet server to a real local process (the syncer's proxy).
      // kwok's kubelet stand-ins: the node agent points a vCluster pod's port-forwards at its IP
      // and its logs at the syncer's log files (nodeAgent/agent.ts).
      '  enableCRDs: [PortForward, ClusterPortForward, Logs, ClusterLogs]',
      '',
    ].join('\n'));
    // kwokctl keeps waiting (for minutes) on a component that already died; watch the pid files
    // and stop it as soon as one of them belongs to a dead process.
    const watchdog = new AbortController();
    const watch = setInterval(() => {
      if (deadComponents(dir).length > 0) watchdog.abort();
    }, 500);
    try {
      await runProcess(binaries.kwokctl, ['--name', name,
        '--config', configFile,
        'create', 'cluster',
        '--runtime', 'binary',
        // Empty: do not add the cluster to ~/.kube/config; ours is <dir>/kubeconfig.yaml.
        '--kubeconfig', '',
        '--kube-apiserver-binary', binaries.kubeApiserver,
        '--kube-controller-manager-binary', binaries.kubeControllerManager,
        '--kube-scheduler-binary', binaries.kubeScheduler,
        '--etcd-binary', binaries.etcd,
        '--kwok-controller-binary', binaries.kwok,
        '--kube-apiserver-port', String(port),
        // Volume claims bind in about a second instead of a 15 s cycle (a vCluster's StatefulSet
        // waits on one; see vclusterFixture.ts).
        '--extra-args', 'kube-controller-manager=pvclaimbinder-sync-period=1s',
        // A /16 of Service IPs, not the API server's default /24. A vCluster takes the host's
        // range for its own Services and then gives its "kubernetes" Service the IP of its host
        // Service; in a /24 its own kube-dns had drawn that IP at random often enough (a few
        // runs in a hundred) to fail start-up for good: "provided IP is already allocated",
        // kept in its data, so no restart heals it.
        '--extra-args', 'kube-apiserver=service-cluster-ip-range=10.96.0.0/16',
        // Pod IPs from this host's own range (see claimNetwork above).
        '--extra-args', `kwok-controller=cidr=${network.cidr}`,
        ...(options.apiserverArgs ?? []).flatMap((arg) => ['--extra-args', `kube-apiserver=${arg}`]),
        '--wait', '90s',
        '--timeout', '150s',
      ], { env, timeoutMs: 180_000, signal: watchdog.signal });
    } catch (error) {
      const detail = existsSync(dir) ? `\n${explainFailure(dir)}` : '';
      await downHostCluster(name, binaries).catch(() => undefined);
      // kwokctl picks its components' free ports before it starts them; another host starting at
      // the same moment can take one in between. Once more with fresh ports heals that race.
      if (attempt === 1 && options.apiserverPort === undefined && /address already in use/.test(detail)) {
        log(`host cluster ${name}: a port was taken while it started (another host starting at the same time?); starting it again`);
        return upHostCluster(binaries, options, 2);
      }
      const reason = watchdog.signal.aborted ? 'a component exited early' : kwokctlError(error);
      throw new SetupError(`The host cluster ${name} did not start: ${reason}${detail}`);
    } finally {
      clearInterval(watch);
    }
  }
  if (!existsSync(kubeconfig)) throw new SetupError(`kwokctl reported success but wrote no kubeconfig at ${kubeconfig}`);
  // kwokctl's --wait only logs when readiness fails; check it ourselves, bounded.
  const readyBy = Date.now() + 60_000;
  while (!await isHealthy(binaries, dir)) {
    if (Date.now() > readyBy) {
      const detail = explainFailure(dir);
      await downHostCluster(name, binaries).catch(() => undefined);
      throw new SetupError(`The host cluster ${name} did not become ready within 60 s.\n${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  const podCidr = claimedNetwork(name)?.cidr;
  const deadline = Date.now() + 60_000;
  let ready = await readyNodeCount(binaries, kubeconfig);
  if (ready < nodes) {
    // kwok's node template lists cpu, memory and pods only; pods that request ephemeral storage
    // (the vCluster chart's do) need it too.
    await runProcess(binaries.kwokctl, ['--name', name, 'scale', 'node', '--replicas', String(nodes),
      '--param', '.allocatable."ephemeral-storage"="100Gi"',
      // Node N's pods get 10.X.N.0/24 of this host's /16 (kwok hands out pod IPs from the node's
      // podCIDR), so every pod IP is on the node agent's bridge.
      ...(podCidr ? ['--param', `.podCIDRs=[${JSON.stringify(podCidr.replace(/\.0\.0\/16$/, '.0.0/24'))}]`] : []),
    ], { env, timeoutMs: 60_000 });
    while ((ready = await readyNodeCount(binaries, kubeconfig)) < nodes) {
      if (Date.now() > deadline) throw new SetupError(`Only ${ready} of ${nodes} fake nodes became Ready within 60 s.\n${explainFailure(dir)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  log(`host cluster ${name}: ${ready} Ready node(s)`);
  let agentCidr: string | undefined;
  if (options.nodeAgent !== false) {
    const unavailable = nodeAgentUnavailable();
    if (unavailable) {
      log(`no node agent: ${unavailable}`);
    } else {
      agentCidr = (await startNodeAgent({ cluster: name, hostKubeconfig: kubeconfig, host: binaries, binaries: await ensureVClusterBinaries(), log })).cidr;
    }
  }
  return { name, kubeconfig, server: serverOf(kubeconfig), dir, reused, ...(agentCidr ? { podCidr: agentCidr } : {}) };
}

/**
 * Kills a cluster's processes and removes its state at once, synchronously: for process 'exit'
 * handlers, where nothing asynchronous runs any more (Ctrl+C on `npm start`, a crashed script).
 */
export function killHostClusterNow(name: string): void {
  validateClusterName(name);
  killNodeAgentNow(name);
  const dir = clusterDir(name);
  for (const pid of new Set([...livePids(dir).values(), ...processesUnder(dir)])) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(kwokWorkdir(), `kwokctl-${name}.yaml`), { force: true });
  removeClusterNetworkNow(name);
}

/** Names of the clusters in our work dir (running or left behind). */
export function listHostClusters(): string[] {
  const root = join(kwokWorkdir(), 'clusters');
  return existsSync(root) ? readdirSync(root).filter((name) => NAME_PATTERN.test(name)).sort() : [];
}

/**
 * Stops one cluster (or all when no name is given) and removes its state. Works after a crash or a
 * killed test run: pid files first, then any process still running a program from the cluster's
 * folder, then kwokctl's own clean-up of what is left.
 */
export async function downHostCluster(name?: string, binaries?: HostBinaries): Promise<string[]> {
  const names = name ? [name] : listHostClusters();
  for (const each of names) {
    validateClusterName(each);
    const dir = clusterDir(each);
    // The node agent and its vCluster syncers first: they talk to this host.
    await stopNodeAgent(each);
    await killAll([...livePids(dir).values()]);
    await killAll(processesUnder(dir));
    if (binaries && existsSync(dir)) {
      // An explicit kubeconfig that does not exist: by default kwokctl would edit $KUBECONFIG or
      // ~/.kube/config to remove a context; an empty value makes it fail before it deletes.
      const none = join(kwokWorkdir(), 'no-such-kubeconfig.yaml');
      await runProcess(binaries.kwokctl, ['--name', each, 'delete', 'cluster', '--kubeconfig', none], { env: kwokEnv(binaries), timeoutMs: 30_000 }).catch(() => undefined);
    }
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(kwokWorkdir(), `kwokctl-${each}.yaml`), { force: true });
    removeClusterNetworkNow(each);
  }
  if (!name) {
    // Orphans of clusters whose folders are already gone.
    await killAll(processesUnder(join(kwokWorkdir(), 'clusters')));
  }
  return names;
}
