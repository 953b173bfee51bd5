// Types of localBuild.mjs for the TypeScript side (tests, scripts).
export interface GoProgram {
  /** Package path of the main package. */
  pkg: string;
  /** File name of the binary. */
  out: string;
}
export const LOCAL_MODULE_DIR: string;
export const LOCAL_MODULE_PATH: string;
export const VCLUSTER_MODULE: string;
export const TRANSLATE_ORACLE: string;
export const LOCAL_PROGRAMS: GoProgram[];
export function localLdflags(): string;
export function localBuildKey(): string;
export function builtLocalBinariesDir(): string | undefined;
export function buildLocalBinaries(options?: { signal?: AbortSignal; onProgress?: (progress: { downloaded: number; compiled: number }) => void }): Promise<{ dir: string; built: boolean; packages: number; peakRssMiB: number; seconds: number }>;
export function downloadModule(modulePath: string, version: string, signal?: AbortSignal): Promise<{ dir: string; goMod: string }>;
export function readyChartDir(): string | undefined;
export function releaseChart(signal?: AbortSignal): Promise<string>;
