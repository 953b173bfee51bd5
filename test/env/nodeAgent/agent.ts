// The local host's node agent: what kubelet and a CNI do for a real node, for the one kind of pod
// that needs a real process here, a vCluster's. Whenever a pod labelled app=vcluster is Running on
// the host (kwok fakes its container), the agent gives it a network namespace holding the pod's IP
// and runs the real syncer in it (podSyncer.ts), tells kwok to forward the pod's ports and serve
// its log from the syncer's log files, and stops all of it when the pod goes. It also provisions
// volumes (storage.ts) and relays the pods' connections to the host API server (hostApiProxy.ts).
//
//   node --import tsx test/env/nodeAgent/agent.ts SPEC.json      (control.ts starts it detached)
//
// It reconciles once a second from a list of pods: simple, and it heals whatever happened while it
// was away (a restart of the agent adopts the syncers still running).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../../src/kube/client';
import type { HostBinaries } from '../hostBinaries';
import { isAlive } from '../processes';
import { readSupervisedState } from '../supervisor';
import type { VClusterBinaries } from '../vclusterBinaries';
import { startHostApiProxy } from './hostApiProxy';
import { addPodNetwork, ensureBridge, podNetnsName, podNetnsNames, removePodNetwork, type PodNetwork } from './podNetwork';
import { launchPodSyncer, podSyncerView, stopPodSyncer } from './podSyncer';
import { claimVolumeDir, ensureStorageClass, reconcileVolumes } from './storage';

export interface AgentSpec {
  cluster: string;
  hostKubeconfig: string;
  /** Where the agent keeps its pid, log and state. */
  dir: string;
  /** One folder per vCluster pod (its syncer's files). */
  sandboxesDir: string;
  volumesDir: string;
  network: PodNetwork;
  host: HostBinaries;
  binaries: VClusterBinaries;
}

/** What the agent knows of one vCluster pod; `agent-state.json` lists them for `cluster:status`. */
export interface SandboxRecord {
  uid: string;
  namespace: string;
  podName: string;
  vcluster: string;
  podIp: string;
  nodeName: string;
  /** running: its syncer is supervised; waiting: something it needs is missing (see problem). */
  state: 'running' | 'waiting';
  problem?: string;
  dir: string;
  dataDir: string;
}

export interface AgentState {
  pid: number;
  startedAt: string;
  updatedAt: string;
  network: PodNetwork;
  sandboxes: SandboxRecord[];
  lastError?: string;
}

export const agentFiles = (dir: string) => ({
  spec: join(dir, 'agent.json'),
  pid: join(dir, 'agent.pid'),
  log: join(dir, 'agent.log'),
  state: join(dir, 'agent-state.json'),
  simulatedLog: join(dir, 'simulated-container.log'),
});

interface Pod {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: {
    nodeName?: string;
    containers: Array<{ name: string; ports?: Array<{ containerPort: number }>; volumeMounts?: Array<{ name: string; mountPath: string }> }>;
    volumes?: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>;
  };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }>;
    containerStatuses?: Array<Record<string, unknown> & { name: string }>;
  };
}

const KWOK = '/apis/kwok.x-k8s.io/v1alpha1';
/** The syncer's proxy port (fixed in the syncer), always forwarded even when the pod lists none. */
const SYNCER_PORT = 8443;
const timeout = () => AbortSignal.timeout(10_000);

function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

function sandboxDir(spec: AgentSpec, pod: Pod): string {
  return join(spec.sandboxesDir, `${pod.metadata.namespace}.${pod.metadata.name}`);
}

export function readSandboxRecord(dir: string): SandboxRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as SandboxRecord;
  } catch {
    return undefined;
  }
}

class NodeAgent {
  private readonly client: KubeClient;
  private readonly sandboxes = new Map<string, SandboxRecord>();
  /** Problems already logged, so a pod that waits says why once, not once a second. */
  private readonly reported = new Map<string, string>();
  /** When a waiting pod is tried again: 1 s doubling to 30 s, so a thousand pods without a config cost little. */
  private readonly retry = new Map<string, { at: number; delayMs: number }>();
  /** The syncer state last written to each pod's status ("running:0"), so a status is patched only on change. */
  private readonly reportedStatus = new Map<string, string>();
  private readonly startedAt = new Date().toISOString();
  private lastError: string | undefined;
  private stopping = false;

  constructor(private readonly spec: AgentSpec) {
    const config = new KubeConfig();
    config.loadFromFile(spec.hostKubeconfig);
    this.client = new KubeClient(config);
  }

  log(line: string): void {
    process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  }

  /** Syncers still running from an earlier agent (killed, or restarted by `cluster:up`) are kept. */
  adopt(): void {
    if (!existsSync(this.spec.sandboxesDir)) return;
    for (const entry of readdirSync(this.spec.sandboxesDir)) {
      const dir = join(this.spec.sandboxesDir, entry);
      const record = readSandboxRecord(dir);
      const supervisor = readSupervisedState(dir)?.supervisorPid;
      if (record && supervisor && isAlive(supervisor)) {
        this.sandboxes.set(record.uid, record);
        this.log(`adopted the running syncer of ${record.namespace}/${record.podName}`);
      }
    }
  }

  async run(): Promise<void> {
    await ensureBridge(this.spec.network);
    const port = Number(new URL(this.client.server).port);
    const relay = await startHostApiProxy(this.spec.network.gateway, port, (line) => this.log(line));
    writeFileSync(agentFiles(this.spec.dir).simulatedLog, `${new Date().toISOString()} stdout F This container is simulated by kwok on the local host: no process runs in it, so it has no log of its own.\n`);
    this.adopt();
    const stop = () => {
      this.stopping = true;
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    let setUp = false;
    while (!this.stopping) {
      try {
        if (!setUp) {
          await ensureStorageClass(this.client);
          await this.ensureSimulatedLogs();
          setUp = true;
        }
        await this.reconcile();
        for (const line of await reconcileVolumes(this.client, this.spec.volumesDir)) this.log(line);
        this.lastError = undefined;
      } catch (error) {
        const message = (error as Error).message;
        if (message !== this.lastError) this.log(`reconcile failed (retrying every second): ${message}`);
        this.lastError = message;
      }
      this.saveState();
      for (let waited = 0; waited < 1_000 && !this.stopping; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.log('stopping: every syncer, its network and its kwok rules');
    for (const record of [...this.sandboxes.values()]) await this.stopSandbox(record, false);
    await relay.close();
    this.saveState();
    rmSync(agentFiles(this.spec.dir).pid, { force: true });
    process.exit(0);
  }

  private saveState(): void {
    const state: AgentState = {
      pid: process.pid, startedAt: this.startedAt, updatedAt: new Date().toISOString(), network: this.spec.network,
      sandboxes: [...this.sandboxes.values()], ...(this.lastError ? { lastError: this.lastError } : {}),
    };
    writeAtomically(agentFiles(this.spec.dir).state, `${JSON.stringify(state, null, 2)}\n`);
  }

  /** Pods the host runs that are not vCluster pods still answer `kubectl logs`, with one line saying why it is empty. */
  private async ensureSimulatedLogs(): Promise<void> {
    await this.client.request('POST', `${KWOK}/clusterlogs`, { body: {
      apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'ClusterLogs', metadata: { name: 'simulated-containers' },
      spec: { logs: [{ logsFile: agentFiles(this.spec.dir).simulatedLog, previousLogsFile: agentFiles(this.spec.dir).simulatedLog }] },
    } }, timeout()).catch((error: { status?: number }) => {
      if (error.status !== 409) throw error;
    });
  }

  private async reconcile(): Promise<void> {
    const pods = await this.client.request<{ items: Pod[] }>('GET', '/api/v1/pods', { query: { labelSelector: 'app=vcluster' } }, timeout());
    const wanted = new Map<string, Pod>();
    for (const pod of pods.items) {
      if (pod.status?.phase === 'Running' && pod.status.podIP && pod.spec.nodeName && !pod.metadata.deletionTimestamp) wanted.set(pod.metadata.uid, pod);
    }
    // Gone pods first: a pod recreated under the same name takes over the same folder.
    for (const record of [...this.sandboxes.values()]) {
      if (!wanted.has(record.uid)) await this.stopSandbox(record, true);
    }
    for (const pod of wanted.values()) {
      const known = this.sandboxes.get(pod.metadata.uid);
      if (known?.state === 'running') {
        await this.reportContainerStatus(pod, known).catch((error: Error) => this.log(`${pod.metadata.namespace}/${pod.metadata.name}: could not report its status: ${error.message}`));
        continue;
      }
      if ((this.retry.get(pod.metadata.uid)?.at ?? 0) > Date.now()) continue;
      await this.startSandbox(pod).catch((error: Error) => this.waiting(pod, error.message));
    }
    // Namespaces of pods nobody knows any more (an agent killed between steps).
    const known = new Set([...this.sandboxes.keys()].map((uid) => podNetnsName(this.spec.cluster, uid)));
    for (const netns of podNetnsNames(this.spec.cluster)) {
      if (!known.has(netns)) {
        this.log(`removing the network namespace ${netns}: no pod of this host owns it`);
        await removePodNetwork(this.spec.cluster, netns.slice(netns.lastIndexOf('-') + 1));
      }
    }
  }

  /**
   * What kubelet reports about a container, for the syncer: its restart count, and while it waits
   * out a back-off, CrashLoopBackOff with the last exit and the pod not Ready — so `kubectl get
   * pods`, `vcluster list` and the extension see a failing vCluster as failing. kwok sets a pod's
   * status only on its way to Running and leaves it alone after that.
   */
  private async reportContainerStatus(pod: Pod, record: SandboxRecord): Promise<void> {
    const state = podSyncerView(record.dir).state();
    if (!state || state.state === 'stopped') return;
    const key = `${state.state}:${state.restarts}`;
    const previous = this.reportedStatus.get(pod.metadata.uid);
    if (previous === key || (previous === undefined && key === 'running:0')) {
      this.reportedStatus.set(pod.metadata.uid, key);
      return;
    }
    const exit = state.lastExit;
    const lastState = exit ? { terminated: { exitCode: exit.code ?? (exit.signal === 'SIGKILL' ? 137 : 143), reason: 'Error', finishedAt: exit.at, ...(exit.signal ? { message: `killed by ${exit.signal}` } : {}) } } : {};
    const ready = state.state === 'running';
    const now = new Date().toISOString();
    const containerStatuses = (pod.status?.containerStatuses ?? []).map((status) => (status.name !== 'syncer' ? status : {
      ...status,
      ready,
      started: ready,
      restartCount: state.restarts,
      lastState,
      state: ready
        ? { running: { startedAt: state.startedAt ?? now } }
        : { waiting: { reason: 'CrashLoopBackOff', message: `back-off restarting the syncer (exit ${exit?.signal ?? exit?.code}); next start at ${state.nextStartAt}` } },
    }));
    const conditions = (pod.status?.conditions ?? []).map((condition) => (condition.type === 'Ready' || condition.type === 'ContainersReady'
      ? { ...condition, status: ready ? 'True' : 'False', lastTransitionTime: now }
      : condition));
    await this.client.request('PATCH', `/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace)}/pods/${encodeURIComponent(pod.metadata.name)}/status`, { body: { status: { containerStatuses, conditions } } }, timeout());
    this.reportedStatus.set(pod.metadata.uid, key);
  }

  private waiting(pod: Pod, problem: string): void {
    const record: SandboxRecord = {
      uid: pod.metadata.uid, namespace: pod.metadata.namespace, podName: pod.metadata.name, vcluster: vclusterName(pod),
      podIp: pod.status?.podIP ?? '', nodeName: pod.spec.nodeName ?? '', state: 'waiting', problem, dir: sandboxDir(this.spec, pod), dataDir: '',
    };
    this.sandboxes.set(pod.metadata.uid, record);
    const delayMs = Math.min(30_000, (this.retry.get(pod.metadata.uid)?.delayMs ?? 500) * 2);
    this.retry.set(pod.metadata.uid, { at: Date.now() + delayMs, delayMs });
    if (this.reported.get(pod.metadata.uid) !== problem) this.log(`${pod.metadata.namespace}/${pod.metadata.name} waits: ${problem}`);
    this.reported.set(pod.metadata.uid, problem);
  }

  /** The syncer's /data: the folder of the volume the pod mounts there, or one of the pod's own. */
  private async dataDir(pod: Pod): Promise<string | undefined> {
    const syncer = pod.spec.containers.find((container) => container.name === 'syncer') ?? pod.spec.containers[0];
    const mount = syncer?.volumeMounts?.find((each) => each.mountPath === '/data');
    const volume = pod.spec.volumes?.find((each) => each.name === mount?.name);
    if (volume?.persistentVolumeClaim) return claimVolumeDir(this.client, pod.metadata.namespace, volume.persistentVolumeClaim.claimName);
    return join(sandboxDir(this.spec, pod), 'pod-data');
  }

  private async startSandbox(pod: Pod): Promise<void> {
    const { namespace, name: podName, uid } = pod.metadata;
    const vcluster = vclusterName(pod);
    const secretPath = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(`vc-config-${vcluster}`)}`;
    const secret = await this.client.request<{ data?: Record<string, string> }>('GET', secretPath, {}, timeout()).catch((error: { status?: number }) => {
      if (error.status === 404) return undefined;
      throw error;
    });
    if (!secret) return this.waiting(pod, `there is no Secret ${namespace}/vc-config-${vcluster} (the vCluster's rendered config); the syncer starts when it exists`);
    const config = secret.data?.['config.yaml'];
    if (!config) return this.waiting(pod, `Secret ${namespace}/vc-config-${vcluster} has no config.yaml`);
    const dataDir = await this.dataDir(pod);
    if (!dataDir) return this.waiting(pod, 'the volume claim mounted at /data is not bound yet');
    const dir = sandboxDir(this.spec, pod);
    const podIp = pod.status!.podIP!;
    const nodeName = pod.spec.nodeName!;
    const { netns } = await addPodNetwork(this.spec.network, uid, podIp);
    await launchPodSyncer({
      dir, dataDir, vcluster, namespace, podName, podIp, nodeName, netns, config: Buffer.from(config, 'base64'),
      hostKubeconfig: this.spec.hostKubeconfig, gateway: this.spec.network.gateway, host: this.spec.host, binaries: this.spec.binaries,
    });
    const record: SandboxRecord = { uid, namespace, podName, vcluster, podIp, nodeName, state: 'running', dir, dataDir };
    writeFileSync(join(dir, 'sandbox.json'), JSON.stringify(record, null, 2));
    this.sandboxes.set(uid, record);
    this.reported.delete(uid);
    this.retry.delete(uid);
    await this.writeKwokRules(pod, dir);
    this.log(`${namespace}/${podName}: syncer of vCluster ${vcluster} started at ${podIp} (data ${dataDir})`);
  }

  /** kwok's kubelet server: port-forwards to the pod reach the pod's IP; `kubectl logs` reads the syncer's log files. */
  private async writeKwokRules(pod: Pod, dir: string): Promise<void> {
    const { namespace, name } = pod.metadata;
    const podIp = pod.status!.podIP!;
    const ports = new Set<number>([SYNCER_PORT]);
    for (const container of pod.spec.containers) for (const port of container.ports ?? []) ports.add(port.containerPort);
    const view = podSyncerView(dir);
    const rules = [
      { plural: 'portforwards', kind: 'PortForward', spec: { forwards: [...ports].map((port) => ({ ports: [port], target: { address: podIp, port } })) } },
      { plural: 'logs', kind: 'Logs', spec: { logs: [{ containers: [], logsFile: view.criLogFile, previousLogsFile: view.previousCriLogFile, follow: true }] } },
    ];
    for (const rule of rules) {
      const path = `${KWOK}/namespaces/${encodeURIComponent(namespace)}/${rule.plural}`;
      await this.client.request('DELETE', `${path}/${encodeURIComponent(name)}`, {}, timeout()).catch(() => undefined);
      await this.client.request('POST', path, { body: { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: rule.kind, metadata: { name, namespace }, spec: rule.spec } }, timeout());
    }
  }

  private async stopSandbox(record: SandboxRecord, removeRules: boolean): Promise<void> {
    if (record.state === 'running') {
      await stopPodSyncer(record.dir);
      this.log(`${record.namespace}/${record.podName}: syncer of vCluster ${record.vcluster} stopped (the pod is gone)`);
    } else {
      rmSync(record.dir, { recursive: true, force: true });
    }
    await removePodNetwork(this.spec.cluster, record.uid);
    if (removeRules) {
      for (const plural of ['portforwards', 'logs']) {
        await this.client.request('DELETE', `${KWOK}/namespaces/${encodeURIComponent(record.namespace)}/${plural}/${encodeURIComponent(record.podName)}`, {}, timeout()).catch(() => undefined);
      }
    }
    this.sandboxes.delete(record.uid);
    this.reported.delete(record.uid);
    this.retry.delete(record.uid);
    this.reportedStatus.delete(record.uid);
  }
}

/** The chart labels its pod with the release; the release is the vCluster's name. */
function vclusterName(pod: Pod): string {
  return pod.metadata.labels?.release ?? pod.metadata.name.replace(/-0$/, '');
}

if (process.argv[1] && /agent\.ts$/.test(process.argv[1])) {
  const specFile = process.argv[2];
  if (!specFile) {
    console.error('usage: node --import tsx test/env/nodeAgent/agent.ts SPEC.json');
    process.exit(2);
  }
  const spec = JSON.parse(readFileSync(specFile, 'utf8')) as AgentSpec;
  mkdirSync(spec.sandboxesDir, { recursive: true });
  mkdirSync(spec.volumesDir, { recursive: true });
  writeFileSync(agentFiles(spec.dir).pid, `${process.pid}\n`);
  new NodeAgent(spec).run().catch((error: Error) => {
    process.stdout.write(`${new Date().toISOString()} the agent failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}
