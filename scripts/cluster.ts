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
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SetupError } from '../test/env/goBuild';
import { cachedHostBinaries, ensureHostBinaries, reportedVersions, type BuildReport } from '../test/env/hostBinaries';
import { clusterDir, COMPONENTS, downHostCluster, isAlive, listHostClusters, upHostCluster, validateClusterName } from '../test/env/hostCluster';
import { syncersDir } from '../test/env/paths';
import { ensureVClusterBinaries, reportedVClusterVersions } from '../test/env/vclusterBinaries';
import { upVCluster } from '../test/env/vclusterFixture';

export const DEFAULT_CLUSTER_NAME = 'vcluster-vscode';

function residentMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
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
      const report: BuildReport = { peakBuildRssMiB: 0, built: [] };
      const binaries = await ensureHostBinaries(report);
      const vclusterBinaries = await ensureVClusterBinaries(report);
      for (const [program, version] of Object.entries({ ...reportedVersions(binaries), ...reportedVClusterVersions(vclusterBinaries) })) console.log(`  ${program}: ${version}`);
      console.log(report.built.length > 0
        ? `[cluster] built ${report.built.join(', ')} in ${seconds()} s (peak go build memory ${report.peakBuildRssMiB} MiB)`
        : `[cluster] all binaries were cached (${seconds()} s)`);
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
          cluster, host: binaries, vcluster: vclusterBinaries, name: values.vcluster, killOnExit: false,
          log: (line) => console.log(`[cluster] ${line}`),
        });
        console.log(`[cluster] vCluster ${vcluster.name} in namespace ${vcluster.namespace} ${vcluster.reused ? 'reused' : 'synced'} at ${seconds()} s`);
        console.log(`KUBECONFIG=${cluster.kubeconfig}`);
        console.log(`VCLUSTER_KUBECONFIG=${vcluster.kubeconfig}`);
        return;
      }
      console.log(`KUBECONFIG=${cluster.kubeconfig}`);
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
        const vclusters = syncersDir(name);
        for (const vcluster of existsSync(vclusters) ? readdirSync(vclusters) : []) {
          const pid = Number(readFileSync(join(vclusters, vcluster, 'syncer.pid'), 'utf8').trim());
          console.log(`  vCluster ${vcluster}: syncer ${isAlive(pid) ? `running (pid ${pid})` : 'not running'}`);
          console.log(`    VCLUSTER_KUBECONFIG=${join(vclusters, vcluster, 'kubeconfig.yaml')}`);
        }
      }
      return;
    }
    default:
      throw new SetupError('usage: node --import tsx scripts/cluster.ts build|up|down|status [--name NAME] [--nodes N] [--port PORT] [--vcluster NAME]');
  }
}

main().catch((error: Error) => {
  console.error(`[cluster] ${error instanceof SetupError ? error.message : error.stack ?? error.message}`);
  process.exit(1);
});
