// Every binary of the local host cluster and of a real vCluster, built from upstream Go modules by
// ONE wrapper module and ONE `go build`: kube-apiserver, kube-controller-manager, kube-scheduler and
// kubectl (k8s.io/kubernetes), etcd, kwok and kwokctl, helm, kine, and the vcluster CLI and syncer.
// Built apart, each tool compiled its own copy of the libraries they share (client-go, apiserver,
// grpc, etcd's client…), at slightly different versions; together, Go's minimal version selection
// gives them one version of each and every package compiles once. The versions are pinned in
// scripts/lib/versions.mjs and chosen to agree (see there), so nothing is upgraded far past what its
// authors built it with.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error -- plain .mjs module without type declarations
import { versions } from '../../scripts/lib/versions.mjs';
import { builtRecipeDir, compileRecipe, downloadModule, moduleGoMod, wrapperGoMod, type GoProgram, type GoProgramsRecipe } from './goBuild';

const MODULE_TIMEOUT_MS = 20 * 60_000;
export const VCLUSTER_MODULE = 'github.com/loft-sh/vcluster';
const WRAPPER_MODULE = 'local-cluster-build';

/**
 * vcluster-translate-oracle (test/env/oracle/main.go): the syncer's own naming code as a program,
 * for the tests that hold src/vcluster/translate.ts to it. Built here, so it shares vcluster's
 * compiled packages; its source sits in the wrapper module as a package of its own.
 */
export const TRANSLATE_ORACLE = 'vcluster-translate-oracle';
const ORACLE_SOURCE = join(__dirname, 'oracle', 'main.go');

/** Each program, its package and the file name it gets (as users call it). */
export const LOCAL_PROGRAMS: GoProgram[] = [
  { pkg: 'k8s.io/kubernetes/cmd/kube-apiserver', out: 'kube-apiserver' },
  { pkg: 'k8s.io/kubernetes/cmd/kube-controller-manager', out: 'kube-controller-manager' },
  { pkg: 'k8s.io/kubernetes/cmd/kube-scheduler', out: 'kube-scheduler' },
  { pkg: 'k8s.io/kubernetes/cmd/kubectl', out: 'kubectl' },
  { pkg: 'go.etcd.io/etcd/server/v3', out: 'etcd' },
  { pkg: 'sigs.k8s.io/kwok/cmd/kwok', out: 'kwok' },
  { pkg: 'sigs.k8s.io/kwok/cmd/kwokctl', out: 'kwokctl' },
  { pkg: 'helm.sh/helm/v3/cmd/helm', out: 'helm' },
  // CGO_ENABLED=0 (set for every build) selects kine's pure-Go SQLite driver.
  { pkg: 'github.com/k3s-io/kine', out: 'kine' },
  { pkg: `${VCLUSTER_MODULE}/cmd/vclusterctl`, out: 'vcluster' },
  // The syncer (`vcluster start`), which normally runs in the vCluster's pod.
  { pkg: `${VCLUSTER_MODULE}/cmd/vcluster`, out: 'vcluster-syncer' },
  { pkg: `vcluster-vscode.local/${WRAPPER_MODULE}/translate-oracle`, out: TRANSLATE_ORACLE },
];

/** The modules the wrapper requires, at the pinned versions. */
export function localModules(): Array<[string, string]> {
  return [
    ['k8s.io/kubernetes', versions.kubernetes],
    [VCLUSTER_MODULE, versions.vcluster],
    ['sigs.k8s.io/kwok', versions.kwok],
    ['helm.sh/helm/v3', versions.helm],
    ['github.com/k3s-io/kine', versions.kine],
    // etcd's server module replaces its sibling modules with local folders; they are published at
    // the same version, which the server's own requirements already name.
    ['go.etcd.io/etcd/server/v3', versions.etcd],
  ];
}

/**
 * k8s.io/kubernetes requires its staging modules (k8s.io/api, client-go, …) at v0.0.0 and replaces
 * them with local folders, which a dependency's go.mod cannot do: each is replaced here by its
 * published version. Indirect ones too; pseudo-versions (k8s.io/utils) are real versions, left alone.
 */
export function stagingReplaces(kubernetesGoMod: string, stagingVersion: string): string[] {
  const staging = [...kubernetesGoMod.matchAll(/^\s*(k8s\.io\/[\w.\-/]+)\s+v0\.0\.0\s*(?:\/\/\s*indirect\s*)?$/gm)].map((match) => match[1]!);
  return [...new Set(staging)].sort().map((module) => `\t${module} => ${module} ${stagingVersion}`);
}

/** The wrapper's go.mod, from k8s.io/kubernetes' own go.mod (for its staging modules). */
export function localWrapperGoMod(kubernetesGoMod: string): string {
  return wrapperGoMod(WRAPPER_MODULE, localModules(), LOCAL_PROGRAMS.map((program) => program.pkg),
    ['replace (', ...stagingReplaces(kubernetesGoMod, versions.kubernetesStaging), ')', '']);
}

/**
 * Version stamps, as each project's release build sets them; without them the binaries report
 * v0.0.0-master or "unknown". One `-X` applies to every program that links the package.
 */
export function localLdflags(): string {
  const kubernetes = versions.kubernetes as string;
  const [major, minor] = kubernetes.replace(/^v/, '').split('.');
  const kubernetesStamps = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${kubernetes}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
  ]);
  return [
    ...kubernetesStamps,
    `-X sigs.k8s.io/kwok/pkg/consts.Version=${versions.kwok}`,
    `-X helm.sh/helm/v3/internal/version.version=${versions.helm}`,
    `-X github.com/k3s-io/kine/pkg/version.Version=${versions.kine}`,
    // The vcluster CLI's version (its release pipeline stamps the same variable).
    `-X main.version=${(versions.vcluster as string).replace(/^v/, '')}`,
    // No symbol table or DWARF: smaller binaries, a faster link.
    '-s', '-w',
  ].join(' ');
}

export function localRecipe(): GoProgramsRecipe {
  const pinned = ['kubernetes', 'vcluster', 'kwok', 'helm', 'kine', 'etcd'].map((name) => `${name}-${versions[name]}`).join('-');
  const oracle = readFileSync(ORACLE_SOURCE, 'utf8');
  const oracleHash = createHash('sha256').update(oracle).digest('hex').slice(0, 8);
  return {
    // Names the binaries' folder: it changes with any pinned version or the oracle's source.
    key: `local-${pinned}-oracle-${oracleHash}`,
    files: { 'translate-oracle/main.go': oracle },
    goMod: async (signal) => localWrapperGoMod(await moduleGoMod('k8s.io/kubernetes', versions.kubernetes, MODULE_TIMEOUT_MS, signal)),
    // vcluster requires pre-release loft-sh modules the checksum database does not list; its own
    // go.sum records their hashes, so downloads are verified against that instead.
    seedGoSum: async (signal) => readFileSync(join((await downloadModule(VCLUSTER_MODULE, versions.vcluster, MODULE_TIMEOUT_MS, signal)).dir, 'go.sum'), 'utf8'),
    programs: LOCAL_PROGRAMS,
    ldflags: localLdflags(),
  };
}

/** The folder holding every binary, if built. */
export function builtLocalBinariesDir(): string | undefined {
  return builtRecipeDir(localRecipe());
}

/** Builds the binaries when missing (minutes, cold) and returns their folder (instant, warm). */
export async function ensureLocalBinariesDir(signal?: AbortSignal): Promise<string> {
  return builtLocalBinariesDir() ?? (await compileRecipe(localRecipe(), signal)).dir;
}
