// Starts, stops and reads the node agent of a local host (agent.ts). The agent runs detached, so
// `cluster:up` can leave the host and its vClusters running; `down` stops it and then removes
// whatever a crashed or SIGKILLed agent left behind: syncers, network namespaces, the bridge,
// volumes.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError } from '../goBuild';
import type { HostBinaries } from '../hostBinaries';
import { kwokWorkdir, syncersDir, virtualKubeconfigsDir } from '../paths';
import { isAlive, readPid } from '../processes';
import type { VClusterBinaries } from '../vclusterBinaries';
import { agentFiles, type AgentSpec, type AgentState } from './agent';
import { claimNetwork, removeClusterNetworkNow, type PodNetwork } from './podNetwork';
import { killPodSyncerNow, stopPodSyncer } from './podSyncer';

export function agentDir(cluster: string): string {
  return join(kwokWorkdir(), 'agents', cluster);
}

export function volumesDir(cluster: string): string {
  return join(kwokWorkdir(), 'volumes', cluster);
}

/** The agent's pid when it runs. */
export function runningAgentPid(cluster: string): number | undefined {
  const pid = readPid(agentFiles(agentDir(cluster)).pid);
  return pid && isAlive(pid) ? pid : undefined;
}

export function readAgentState(cluster: string): AgentState | undefined {
  try {
    return JSON.parse(readFileSync(agentFiles(agentDir(cluster)).state, 'utf8')) as AgentState;
  } catch {
    return undefined;
  }
}

/** Why the agent cannot run here, or undefined when it can. */
export function nodeAgentUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) {
    return 'the local host\'s node agent needs root: each vCluster pod gets a network namespace, a veth on a bridge and bind mounts for /data and /binaries (ip netns, ip link, mount). Without it vClusters on the local host stay hollow (no syncer, no port-forward).';
  }
  return undefined;
}

/**
 * Starts the agent for a running host (or keeps the one that runs). A new agent adopts the
 * syncers a killed one left running. Returns once it has reconciled at least once.
 */
export async function startNodeAgent(options: { cluster: string; hostKubeconfig: string; host: HostBinaries; binaries: VClusterBinaries; log?: (line: string) => void }): Promise<PodNetwork> {
  const { cluster } = options;
  const unavailable = nodeAgentUnavailable();
  if (unavailable) throw new SetupError(unavailable);
  const dir = agentDir(cluster);
  mkdirSync(dir, { recursive: true });
  const network = claimNetwork(cluster);
  if (runningAgentPid(cluster)) return network;
  const spec: AgentSpec = {
    cluster, hostKubeconfig: options.hostKubeconfig, dir, sandboxesDir: syncersDir(cluster), volumesDir: volumesDir(cluster),
    network, host: options.host, binaries: options.binaries,
  };
  const files = agentFiles(dir);
  writeFileSync(files.spec, JSON.stringify(spec, null, 2), { mode: 0o600 });
  rmSync(files.state, { force: true });
  const root = join(__dirname, '..', '..', '..');
  const log = openSync(files.log, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'agent.ts'), files.spec], { cwd: root, detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  const deadline = Date.now() + 30_000;
  while (readAgentState(cluster) === undefined) {
    if (child.pid === undefined || !isAlive(child.pid) || Date.now() > deadline) {
      if (child.pid) process.kill(child.pid, 'SIGKILL');
      const tail = existsSync(files.log) ? readFileSync(files.log, 'utf8').trimEnd().split('\n').slice(-10).join('\n') : '';
      throw new SetupError(`The node agent of ${cluster} did not start (log ${files.log}):\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  options.log?.(`node agent started (pid ${child.pid}); pods get IPs in ${network.cidr}, gateway ${network.gateway} on bridge ${network.bridge}`);
  return network;
}

/**
 * Stops the agent (it stops its syncers and their networks), then removes whatever is left of
 * them, also when the agent was killed: supervised syncers, pod namespaces, the bridge, volumes.
 */
export async function stopNodeAgent(cluster: string): Promise<void> {
  const pid = runningAgentPid(cluster);
  if (pid) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 45_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  const sandboxes = syncersDir(cluster);
  if (existsSync(sandboxes)) for (const entry of readdirSync(sandboxes)) await stopPodSyncer(join(sandboxes, entry));
  removeAgentLeftovers(cluster);
}

/** The synchronous form, for exit handlers: SIGKILL to the agent and every syncer, then the same clean-up. */
export function killNodeAgentNow(cluster: string): void {
  const pid = runningAgentPid(cluster);
  if (pid) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const sandboxes = syncersDir(cluster);
  if (existsSync(sandboxes)) for (const entry of readdirSync(sandboxes)) killPodSyncerNow(join(sandboxes, entry));
  removeAgentLeftovers(cluster);
}

function removeAgentLeftovers(cluster: string): void {
  removeClusterNetworkNow(cluster);
  for (const dir of [syncersDir(cluster), volumesDir(cluster), virtualKubeconfigsDir(cluster), agentDir(cluster)]) rmSync(dir, { recursive: true, force: true });
}
