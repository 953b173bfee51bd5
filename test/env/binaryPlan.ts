// What the set-up (scripts/setup/index.mjs) builds from Go modules, with progress: the local
// binaries (localBinaries.ts: one wrapper module, one `go build`) and the vCluster chart. The
// modules are downloaded first (`go mod tidy`, network), then compiled (CPU, every core); `go build
// -v` names each package it compiles, which the progress counts against the last cold build's count.
import { builtRecipeDir, compileRecipe, resolveRecipe } from './goBuild';
import { localRecipe } from './localBinaries';
import { chartReady, releaseChart } from './vclusterBinaries';
// @ts-expect-error -- plain .mjs module without type declarations
import { versions } from '../../scripts/lib/versions.mjs';

const GIB = 1024 ** 3;

export interface BinaryBuild {
  /** Cache key of the binaries (changes with the versions); also the key of its recorded timing. */
  key: string;
  label: string;
  built(): boolean;
  /** Cold build on 2 cores with empty caches, for the estimate until this machine recorded its own. */
  typicalSeconds: number;
  /** Packages a cold build compiles, for the progress until this machine recorded its own count. */
  typicalPackages: number;
  /** What a cold build adds to the cache (module and build caches, binaries): for the disk check. */
  coldBytes: number;
}

export function binaryBuild(): BinaryBuild {
  const recipe = localRecipe();
  return {
    key: recipe.key,
    label: `Kubernetes ${versions.kubernetes}, etcd ${versions.etcd}, kwok ${versions.kwok}, helm ${versions.helm}, kine ${versions.kine}, vcluster ${versions.vcluster}`,
    built: () => builtRecipeDir(recipe) !== undefined && chartReady(),
    typicalSeconds: 600,
    typicalPackages: 3000,
    coldBytes: 9 * GIB,
  };
}

export interface BuildTiming {
  resolveSeconds: number;
  compileSeconds: number;
  packages: number;
}

/** Downloads, compiles and stamps the binaries, then the chart; reports each phase as it starts. */
export async function buildBinaries(hooks: {
  signal?: AbortSignal;
  onPhase?: (phase: 'modules' | 'compile' | 'chart') => void;
  onPackages?: (compiled: number) => void;
} = {}): Promise<BuildTiming> {
  const recipe = localRecipe();
  const started = Date.now();
  hooks.onPhase?.('modules');
  await resolveRecipe(recipe, hooks.signal);
  const resolved = Date.now();
  hooks.onPhase?.('compile');
  const { packages } = await compileRecipe(recipe, hooks.signal, hooks.onPackages);
  const compiled = Date.now();
  hooks.onPhase?.('chart');
  await releaseChart();
  return { resolveSeconds: (resolved - started) / 1000, compileSeconds: (compiled - resolved) / 1000, packages };
}
