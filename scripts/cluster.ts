// `npm run cluster:up` / `cluster:down` / `cluster:build` / `cluster:status`: a real local host
// cluster (Kubernetes built from Go modules, kwok nodes) on 127.0.0.1, for tests and `npm start`.
//
//   npm run cluster:up                         start or reuse the cluster "vcluster-vscode"
//   npm run cluster:up -- --name X --nodes 3 --port 6443
//   npm run cluster:up -- --vcluster NAME      also a real vCluster (CLI + chart + local syncer);
//                                              prints VCLUSTER_KUBECONFIG=<path> too
//   npm run cluster:down                       stop every cluster these scripts started
//   npm run cluster:down -- --name X           stop one
//   npm run cluster:down -- --stale            stop test hosts whose test run was killed
//   npm run cluster:build                      only build and cache the binaries
//   npm run cluster:status                     running clusters, their kubeconfig and memory
//
// `up` prints `KUBECONFIG=<absolute path>` on a line of its own.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { SetupError } from '../test/env/goBuild';
import { cachedHostBinaries, ensureHostBinaries, reportedVersions } from '../test/env/hostBinaries';
import { clusterDir, COMPONENTS, downHostCluster, isAlive, listHostClusters, upHostCluster, validateClusterName } from '../test/env/hostCluster';
import { readAgentState, runningAgentPid } from '../test/env/nodeAgent/control';
import { residentMiB } from '../test/env/processes';
import { readSupervisedState } from '../test/env/supervisor';
import { ensureVClusterBinaries, reportedVClusterVersions } from '../test/env/vclusterBinaries';
import { upVCluster } from '../test/env/vclusterFixture';

export const DEFAULT_CLUSTER_NAME = 'vcluster-vscode';

/** "running (pid 123, 412 MiB with its control plane), 1 restart; last exit code 1 at …", from its supervisor's state. */
function describeSyncer(dir: string): string {
  const state = readSupervisedState(dir);
  if (!state || !isAlive(state.supervisorPid)) return 'not running (no supervisor)';
  const restarts = `${state.restarts} restart${state.restarts === 1 ? '' : 's'}`;
  const exit = state.lastExit ? `; last exit ${state.lastExit.signal ? `by ${state.lastExit.signal}` : `code ${state.lastExit.code}`} at ${state.lastExit.at}` : '';
  const now = state.state === 'running' ? `running (pid ${state.pid}, ${Math.round(groupResidentMiB(state.pid))} MiB with its control plane)` : state.state === 'waiting' ? `waiting to restart at ${state.nextStartAt}` : 'stopped';
  return `${now}, ${restarts}${exit}`;
}

/** The node agent and one line per vCluster pod it runs a syncer for. */
function describeAgent(cluster: string): string[] {
  const pid = runningAgentPid(cluster);
  const state = readAgentState(cluster);
  if (!pid) return ['  node agent: not running (vCluster pods stay hollow until `npm run cluster:up` starts it again)'];
  const lines = [`  node agent: pid ${pid}, ${Math.round(residentMiB(pid))} MiB; pod range ${state?.network.cidr ?? '?'} on bridge ${state?.network.bridge ?? '?'}${state?.lastError ? `; last error: ${state.lastError}` : ''}`];
  for (const sandbox of state?.sandboxes ?? []) {
    const syncer = sandbox.state === 'running' ? describeSyncer(sandbox.dir) : `waiting: ${sandbox.problem}`;
    lines.push(`  vCluster ${sandbox.vcluster} (pod ${sandbox.namespace}/${sandbox.podName}, IP ${sandbox.podIp}): syncer ${syncer}`);
    lines.push(`    log: ${join(sandbox.dir, 'current.log')}`);
  }
  return lines;
}

/** Resident memory of every process in a process group (a syncer and the control plane it runs), in MiB. */
function groupResidentMiB(group: number): number {
  let total = 0;
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 5 of /proc/PID/stat is the process group.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === group) total += residentMiB(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Resident memory of a cluster's processes, per component, in MiB. */
export function clusterMemory(name: string): Record<string, number> {
  const memory: Record<string, number> = {};
  for (const component of COMPONENTS) {
    try {
      const pid = Number(readFileSync(join(clusterDir(name), 'pids', `${component}.pid`), 'utf8').trim());
      memory[component] = Math.round(residentMiB(pid));
    } catch {
      memory[component] = 0;
    }
  }
  return memory;
}

/**
 * TOOLS_PATH: one folder with vcluster, helm and kubectl of the host's version (the one build puts
 * them side by side); VCLUSTER_CHART: the local chart, for `vcluster create --local-chart-dir`.
 */
function printTools(kubectl: string, vclusterBinaries: { vcluster: string; helm: string; chartDir: string }): void {
  const folders = new Set([dirname(kubectl), dirname(vclusterBinaries.vcluster), dirname(vclusterBinaries.helm)]);
  console.log(`TOOLS_PATH=${[...folders].join(':')}`);
  console.log(`VCLUSTER_CHART=${vclusterBinaries.chartDir}`);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      nodes: { type: 'string' },
      port: { type: 'string' },
      stale: { type: 'boolean' },
      vcluster: { type: 'string' },
    },
  });
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  switch (command) {
    case 'build': {
      // `npm run cluster:build` runs the set-up first (scripts/setup/launch.mjs), which builds what
      // is missing with progress; here each binary says which version it is.
      const binaries = await ensureHostBinaries();
      const vclusterBinaries = await ensureVClusterBinaries();
      for (const [program, version] of Object.entries({ ...reportedVersions(binaries), ...reportedVClusterVersions(vclusterBinaries) })) console.log(`  ${program}: ${version}`);
      console.log(`[cluster] binaries in ${dirname(binaries.kubectl)} (${seconds()} s)`);
      return;
    }
    case 'up': {
      const nodes = values.nodes === undefined ? 2 : Number(values.nodes);
      if (!Number.isInteger(nodes) || nodes < 1 || nodes > 500) throw new SetupError(`--nodes ${values.nodes}: use a whole number from 1 to 500`);
      const port = values.port === undefined ? undefined : Number(values.port);
      if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new SetupError(`--port ${values.port}: not a port number`);
      const binaries = await ensureHostBinaries();
      const name = values.name ?? DEFAULT_CLUSTER_NAME;
      const cluster = await upHostCluster(binaries, {
        name,
        nodes,
        ...(port === undefined ? {} : { apiserverPort: port }),
        log: (line) => console.log(`[cluster] ${line}`),
      });
      const memory = clusterMemory(name);
      const total = Object.values(memory).reduce((sum, value) => sum + value, 0);
      console.log(`[cluster] ${cluster.name} ${cluster.reused ? 'reused' : 'started'} at ${cluster.server} in ${seconds()} s; resident memory ${total} MiB`);
      if (values.vcluster) {
        validateClusterName(values.vcluster);
        const vclusterBinaries = await ensureVClusterBinaries();
        const vcluster = await upVCluster({
          cluster, vcluster: vclusterBinaries, name: values.vcluster,
          log: (line) => console.log(`[cluster] ${line}`),
        });
        console.log(`[cluster] vCluster ${vcluster.name} in namespace ${vcluster.namespace} ${vcluster.reused ? 'reused' : 'synced'} at ${seconds()} s`);
        console.log(`KUBECONFIG=${cluster.kubeconfig}`);
        printTools(binaries.kubectl, vclusterBinaries);
        console.log(`VCLUSTER_KUBECONFIG=${vcluster.kubeconfig}`);
        return;
      }
      console.log(`KUBECONFIG=${cluster.kubeconfig}`);
      printTools(binaries.kubectl, await ensureVClusterBinaries());
      return;
    }
    case 'down': {
      // `down` must work even when nothing is built: kwokctl's own delete is only a last tidy-up.
      if (values.stale) {
        // Test hosts are named it-<pid of the test runner>; a dead runner's host is an orphan.
        const stale = listHostClusters().filter((name) => /^it-\d+$/.test(name) && !isAlive(Number(name.slice(3))));
        for (const name of stale) await downHostCluster(name, cachedHostBinaries());
        if (stale.length > 0) console.log(`[cluster] removed test hosts of runs that were killed: ${stale.join(', ')}`);
        return;
      }
      const stopped = await downHostCluster(values.name, cachedHostBinaries());
      console.log(stopped.length > 0 ? `[cluster] stopped ${stopped.join(', ')}` : '[cluster] nothing was running');
      return;
    }
    case 'status': {
      const names = listHostClusters();
      if (names.length === 0) console.log('[cluster] no host clusters');
      for (const name of names) {
        const memory = clusterMemory(name);
        const running = Object.values(memory).filter((value) => value > 0).length;
        console.log(`${name}: ${running}/${COMPONENTS.length} components running, ${Object.values(memory).reduce((a, b) => a + b, 0)} MiB resident ${JSON.stringify(memory)}`);
        console.log(`  KUBECONFIG=${join(clusterDir(name), 'kubeconfig.yaml')}`);
        for (const line of describeAgent(name)) console.log(line);
      }
      return;
    }
    default:
      throw new SetupError('usage: node --import tsx scripts/cluster.ts build|up|down|status [--name NAME] [--nodes N] [--port PORT] [--vcluster NAME]');
  }
}

main().catch((error: Error) => {
  // SetupError (test/env) and SetupProblem (scripts/lib) carry messages written for the user.
  const forUser = error instanceof SetupError || error.name === 'SetupProblem';
  console.error(`[cluster] ${forUser ? error.message : error.stack ?? error.message}`);
  process.exit(1);
});
