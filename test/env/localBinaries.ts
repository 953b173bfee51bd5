// The local binaries (scripts/lib/localBuild.mjs builds them all with one `go build` of the module
// test/env/go) for the tests, and what `npm run go:pin` needs to write that module's go.mod: the
// pinned modules of scripts/lib/versions.mjs and k8s.io/kubernetes' staging replaces.
import { buildLocalBinaries, builtLocalBinariesDir, LOCAL_MODULE_PATH, LOCAL_PROGRAMS, TRANSLATE_ORACLE, VCLUSTER_MODULE } from '../../scripts/lib/localBuild.mjs';
import { versions } from '../../scripts/lib/versions.mjs';
import { wrapperGoMod } from './goBuild';

export { builtLocalBinariesDir, LOCAL_PROGRAMS, TRANSLATE_ORACLE, VCLUSTER_MODULE };

/** Builds the binaries when missing (minutes, cold: the set-up normally did it) and returns their folder. */
export async function ensureLocalBinariesDir(): Promise<string> {
  return builtLocalBinariesDir() ?? (await buildLocalBinaries()).dir;
}

/** The modules test/env/go requires, at the pinned versions. */
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

/** The module's go.mod before `go mod tidy`, from k8s.io/kubernetes' own go.mod (for its staging modules). */
export function localWrapperGoMod(kubernetesGoMod: string): string {
  const name = LOCAL_MODULE_PATH.replace(/^vcluster-vscode\.local\//, '');
  return wrapperGoMod(name, localModules(), LOCAL_PROGRAMS.map((program) => program.pkg),
    ['replace (', ...stagingReplaces(kubernetesGoMod, versions.kubernetesStaging), ')', '']);
}
