// The parts of a real vCluster, built from Go modules at the versions pinned in
// scripts/lib/versions.mjs: the vcluster CLI (cmd/vclusterctl) and the syncer (cmd/vcluster) from
// github.com/loft-sh/vcluster, helm (which the CLI runs to install the chart), and kine (the
// syncer's default backing store). The chart is the `chart/` folder of the same vcluster module.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error -- plain .mjs module without type declarations
import { step } from '../../scripts/lib/cache.mjs';
// @ts-expect-error -- plain .mjs module without type declarations
import { versions } from '../../scripts/lib/versions.mjs';
import { buildGoPrograms, downloadModule, wrapperGoMod, type BuildReport, type GoProgramsRecipe } from './goBuild';

export interface VClusterBinaries {
  /** The CLI, named as users call it. */
  vcluster: string;
  /** The syncer (`vcluster start`), which normally runs in the vCluster's pod. */
  syncer: string;
  helm: string;
  kine: string;
  /** The chart folder of the same vcluster version (read only, in the Go module cache). */
  chartDir: string;
}

const MODULE_TIMEOUT_MS = 20 * 60_000;
const VCLUSTER_MODULE = 'github.com/loft-sh/vcluster';

function vclusterRecipe(): GoProgramsRecipe {
  const bare = versions.vcluster.replace(/^v/, '');
  return {
    key: `vcluster-${versions.vcluster}`,
    goMod: async () => wrapperGoMod('vcluster-build', [[VCLUSTER_MODULE, versions.vcluster]],
      [`${VCLUSTER_MODULE}/cmd/vclusterctl`, `${VCLUSTER_MODULE}/cmd/vcluster`]),
    // vcluster requires pre-release loft-sh modules the checksum database does not list; its own
    // go.sum records their hashes, so downloads are verified against that instead.
    seedGoSum: async () => readFileSync(join((await downloadModule(VCLUSTER_MODULE, versions.vcluster, MODULE_TIMEOUT_MS)).dir, 'go.sum'), 'utf8'),
    programs: [
      { pkg: `${VCLUSTER_MODULE}/cmd/vclusterctl`, out: 'vcluster' },
      { pkg: `${VCLUSTER_MODULE}/cmd/vcluster`, out: 'vcluster-syncer' },
    ],
    // The CLI reports its real version (the release pipeline stamps the same variable).
    ldflags: `-s -w -X main.version=${bare}`,
  };
}

function helmRecipe(): GoProgramsRecipe {
  return {
    key: `helm-${versions.helm}`,
    goMod: async () => wrapperGoMod('helm-build', [['helm.sh/helm/v3', versions.helm]], ['helm.sh/helm/v3/cmd/helm']),
    programs: [{ pkg: 'helm.sh/helm/v3/cmd/helm', out: 'helm' }],
    ldflags: `-s -w -X helm.sh/helm/v3/internal/version.version=${versions.helm}`,
  };
}

function kineRecipe(): GoProgramsRecipe {
  return {
    key: `kine-${versions.kine}`,
    goMod: async () => wrapperGoMod('kine-build', [['github.com/k3s-io/kine', versions.kine]], ['github.com/k3s-io/kine']),
    // CGO_ENABLED=0 (set for every build) selects kine's pure-Go SQLite driver.
    programs: [{ pkg: 'github.com/k3s-io/kine', out: 'kine' }],
    ldflags: `-s -w -X github.com/k3s-io/kine/pkg/version.Version=${versions.kine}`,
  };
}

/** Builds whatever is missing (minutes, cold) and returns the paths (instant, warm). */
export async function ensureVClusterBinaries(report: BuildReport = { peakBuildRssMiB: 0, built: [] }): Promise<VClusterBinaries> {
  const helm = await step(`helm ${versions.helm}`, () => buildGoPrograms(helmRecipe(), report, step));
  const kine = await step(`kine ${versions.kine}`, () => buildGoPrograms(kineRecipe(), report, step));
  const vcluster = await step(`vcluster ${versions.vcluster} CLI and syncer`, () => buildGoPrograms(vclusterRecipe(), report, step));
  const module = await downloadModule(VCLUSTER_MODULE, versions.vcluster, MODULE_TIMEOUT_MS);
  return {
    vcluster: join(vcluster, 'vcluster'),
    syncer: join(vcluster, 'vcluster-syncer'),
    helm: join(helm, 'helm'),
    kine: join(kine, 'kine'),
    chartDir: join(module.dir, 'chart'),
  };
}

/** What each binary says its version is. */
export function reportedVClusterVersions(binaries: VClusterBinaries): Record<string, string> {
  const ask = (binary: string, args: string[]) => {
    try {
      return execFileSync(binary, args, { encoding: 'utf8', timeout: 20_000, env: { ...process.env, VCLUSTER_SKIP_VERSION_CHECK: 'true' } }).trim().split('\n')[0] ?? '';
    } catch (error) {
      return `error: ${(error as Error).message.split('\n')[0]}`;
    }
  };
  return {
    vcluster: ask(binaries.vcluster, ['--version']),
    helm: ask(binaries.helm, ['version', '--short']),
    kine: ask(binaries.kine, ['--version']),
    chart: binaries.chartDir,
  };
}
