// Types of go.mjs for the TypeScript side (tests, scripts).
export function goCacheDirs(): { modCache: string; buildCache: string };
export function goEnv(): NodeJS.ProcessEnv;
export interface GoResult {
  stdout: string;
  peakRssKb: number;
}
export function runGo(args: string[], cwd: string, timeoutMs: number, signal?: AbortSignal, onStderr?: (text: string) => void, extraEnv?: NodeJS.ProcessEnv): Promise<GoResult>;
export function ensureBinaryFolder(key: string, names: string[], build: (stagingDir: string) => Promise<void>): Promise<{ dir: string; built: boolean }>;
export function goBinaryName(pkg: string): string;
