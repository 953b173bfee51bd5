// The binaries of the local host cluster, built from upstream Go modules at the versions pinned in
// scripts/lib/versions.mjs: kube-apiserver, kube-controller-manager, kube-scheduler and kubectl
// (k8s.io/kubernetes through a wrapper module), etcd (etcd's server module, also wrapped), and
// kwok and kwokctl. Each group is cached under its versions; a second run only checks stamps.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error -- plain .mjs module without type declarations
import { cacheDir, step } from '../../scripts/lib/cache.mjs';
// @ts-expect-error -- plain .mjs module without type declarations
import { versions } from '../../scripts/lib/versions.mjs';
import { buildGoPrograms, goVersion, moduleGoMod, reportedVersion, wrapperGoMod, type BuildReport, type GoProgramsRecipe } from './goBuild';

export type { BuildReport } from './goBuild';

export interface HostBinaries {
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubectl: string;
  etcd: string;
  kwok: string;
  kwokctl: string;
}

const KUBERNETES_PROGRAMS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'];

/**
 * k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with local folders,
 * which a dependency's go.mod cannot do. Every such module is replaced by its published version.
 */
export function kubernetesWrapperGoMod(kubernetesGoMod: string, kubernetesVersion: string, stagingVersion: string): string {
  const staging = [...kubernetesGoMod.matchAll(/^\s*(k8s\.io\/[\w.\-/]+)\s+v0\.0\.0\s*(?:\/\/\s*indirect\s*)?$/gm)].map((match) => match[1]!);
  const unique = [...new Set(staging)].sort();
  return wrapperGoMod('kubernetes-build', [['k8s.io/kubernetes', kubernetesVersion]],
    KUBERNETES_PROGRAMS.map((program) => `k8s.io/kubernetes/cmd/${program}`),
    ['replace (', ...unique.map((module) => `\t${module} => ${module} ${stagingVersion}`), ')', '']);
}

function kubernetesLdflags(version: string): string {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const buildDate = '1970-01-01T00:00:00Z';
  // Both packages report versions: component-base for the servers, client-go's for kubectl's client.
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=${buildDate}`,
  ]).concat(['-s', '-w']).join(' ');
}

function kubernetesRecipe(): GoProgramsRecipe {
  return {
    key: `kubernetes-${versions.kubernetes}`,
    goMod: async () => kubernetesWrapperGoMod(
      await step(`download k8s.io/kubernetes ${versions.kubernetes}`, () => moduleGoMod('k8s.io/kubernetes', versions.kubernetes, 20 * 60_000)),
      versions.kubernetes, versions.kubernetesStaging),
    programs: KUBERNETES_PROGRAMS.map((program) => ({ pkg: `k8s.io/kubernetes/cmd/${program}`, out: program })),
    ldflags: kubernetesLdflags(versions.kubernetes),
  };
}

function etcdRecipe(): GoProgramsRecipe {
  return {
    key: `etcd-${versions.etcd}`,
    // etcd's server module replaces its sibling modules with local folders; they are all published
    // at the same version, which the server's own requirements already name.
    goMod: async () => wrapperGoMod('etcd-build', [['go.etcd.io/etcd/server/v3', versions.etcd]], ['go.etcd.io/etcd/server/v3']),
    programs: [{ pkg: 'go.etcd.io/etcd/server/v3', out: 'etcd' }],
    ldflags: '-s -w',
  };
}

function kwokRecipe(): GoProgramsRecipe {
  return {
    key: `kwok-${versions.kwok}`,
    goMod: async () => wrapperGoMod('kwok-build', [['sigs.k8s.io/kwok', versions.kwok]], ['sigs.k8s.io/kwok/cmd/kwok', 'sigs.k8s.io/kwok/cmd/kwokctl']),
    programs: [{ pkg: 'sigs.k8s.io/kwok/cmd/kwok', out: 'kwok' }, { pkg: 'sigs.k8s.io/kwok/cmd/kwokctl', out: 'kwokctl' }],
    // kwok reports the version stamped here (it would say "unknown" otherwise).
    ldflags: `-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${versions.kwok}`,
  };
}

/** Builds whatever is missing (minutes, cold) and returns the binaries' paths (instant, warm). */
export async function ensureHostBinaries(report: BuildReport = { peakBuildRssMiB: 0, built: [] }): Promise<HostBinaries> {
  await step('check the Go toolchain', async () => {
    const version = await goVersion();
    const match = /go(\d+)\.(\d+)/.exec(version);
    if (match && Number(match[1]) === 1 && Number(match[2]) < 24) {
      throw new Error(`${version} is too old: the pinned Kubernetes, etcd and kwok need Go 1.24 or newer.`);
    }
    return version;
  });
  const kubernetes = await step(`Kubernetes ${versions.kubernetes} binaries`, () => buildGoPrograms(kubernetesRecipe(), report, step));
  const etcd = await step(`etcd ${versions.etcd}`, () => buildGoPrograms(etcdRecipe(), report, step));
  const kwok = await step(`kwok ${versions.kwok}`, () => buildGoPrograms(kwokRecipe(), report, step));
  return binariesIn(kubernetes, etcd, kwok);
}

/** The binaries if every group is already built, without building anything. */
export function cachedHostBinaries(): HostBinaries | undefined {
  const dirs = [kubernetesRecipe(), etcdRecipe(), kwokRecipe()].map((recipe) => join(cacheDir('bin') as string, recipe.key));
  if (!dirs.every((dir) => existsSync(join(dir, '.complete')))) return undefined;
  return binariesIn(dirs[0]!, dirs[1]!, dirs[2]!);
}

function binariesIn(kubernetes: string, etcd: string, kwok: string): HostBinaries {
  return {
    kubeApiserver: join(kubernetes, 'kube-apiserver'),
    kubeControllerManager: join(kubernetes, 'kube-controller-manager'),
    kubeScheduler: join(kubernetes, 'kube-scheduler'),
    kubectl: join(kubernetes, 'kubectl'),
    etcd: join(etcd, 'etcd'),
    kwok: join(kwok, 'kwok'),
    kwokctl: join(kwok, 'kwokctl'),
  };
}

/** What each binary says its version is: proof that the build stamped the real version. */
export function reportedVersions(binaries: HostBinaries): Record<string, string> {
  const ask = reportedVersion;
  return {
    'kube-apiserver': ask(binaries.kubeApiserver, ['--version']),
    'kube-controller-manager': ask(binaries.kubeControllerManager, ['--version']),
    'kube-scheduler': ask(binaries.kubeScheduler, ['--version']),
    kubectl: ask(binaries.kubectl, ['version', '--client']),
    etcd: ask(binaries.etcd, ['--version']),
    kwok: ask(binaries.kwok, ['--version']),
    kwokctl: ask(binaries.kwokctl, ['--version']),
  };
}
