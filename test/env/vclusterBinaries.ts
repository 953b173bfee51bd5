// The parts of a real vCluster: the vcluster CLI (cmd/vclusterctl) and the syncer (cmd/vcluster)
// of github.com/loft-sh/vcluster, helm (which the CLI runs to install the chart) and kine (the
// syncer's default backing store), from the one build of scripts/lib/localBuild.mjs; and the
// chart, the `chart/` folder of the same vcluster module.
import { join } from 'node:path';
import { releaseChart } from '../../scripts/lib/localBuild.mjs';
import { reportedVersion } from './goBuild';
import { ensureLocalBinariesDir } from './localBinaries';

export interface VClusterBinaries {
  /** The CLI, named as users call it. */
  vcluster: string;
  /** The syncer (`vcluster start`), which normally runs in the vCluster's pod. */
  syncer: string;
  helm: string;
  kine: string;
  /** The chart folder of the same vcluster version, stamped with its release version. */
  chartDir: string;
}

/** Builds whatever is missing (minutes, cold; the set-up normally did it) and returns the paths. */
export async function ensureVClusterBinaries(): Promise<VClusterBinaries> {
  const dir = await ensureLocalBinariesDir();
  return {
    vcluster: join(dir, 'vcluster'),
    syncer: join(dir, 'vcluster-syncer'),
    helm: join(dir, 'helm'),
    kine: join(dir, 'kine'),
    chartDir: await releaseChart(),
  };
}

/** What each binary says its version is. */
export function reportedVClusterVersions(binaries: VClusterBinaries): Record<string, string> {
  // The CLI would otherwise ask GitHub for a newer release.
  const env = { ...process.env, VCLUSTER_SKIP_VERSION_CHECK: 'true' };
  const ask = (binary: string, args: string[]) => reportedVersion(binary, args, env);
  return {
    vcluster: ask(binaries.vcluster, ['--version']),
    helm: ask(binaries.helm, ['version', '--short']),
    kine: ask(binaries.kine, ['--version']),
    chart: binaries.chartDir,
  };
}
