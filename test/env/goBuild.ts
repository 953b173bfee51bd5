// The Go side of the test environment, for TypeScript: the toolchain runner and the build of the
// local binaries live in plain modules (scripts/lib/go.mjs, scripts/lib/localBuild.mjs) so that the
// set-up can use them before `npm ci`; this file adds what only tests and scripts need.
import { execFileSync } from 'node:child_process';
import { cacheDir } from '../../scripts/lib/cache.mjs';
import { goBinaryName, runGo } from '../../scripts/lib/go.mjs';
import { downloadModule } from '../../scripts/lib/localBuild.mjs';

export { goBinaryName, runGo };
export type { GoResult } from '../../scripts/lib/go.mjs';

export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}

/** Checks for the Go toolchain before any work, so the message comes first and clearly. */
export async function goVersion(): Promise<string> {
  const { stdout } = await runGo(['version'], cacheDir('go'), 60_000);
  return stdout.trim();
}

/** The go.mod text of one module version. */
export async function moduleGoMod(modulePath: string, version: string, signal?: AbortSignal): Promise<string> {
  return (await downloadModule(modulePath, version, signal)).goMod;
}

/** A wrapper module's go.mod: requirements and the programs it builds, as `tool` directives. */
export function wrapperGoMod(name: string, requires: Array<[string, string]>, tools: string[], extra: string[] = []): string {
  return [
    `module vcluster-vscode.local/${name}`, '', 'go 1.24', '',
    'require (', ...requires.map(([module, version]) => `\t${module} ${version}`), ')', '',
    ...extra,
    'tool (', ...tools.map((tool) => `\t${tool}`), ')', '',
  ].join('\n');
}

/** The first line a program prints for its version query, or the error, for set-up reports. */
export function reportedVersion(binary: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync(binary, args, { encoding: 'utf8', timeout: 20_000, env }).trim().split('\n')[0] ?? '';
  } catch (error) {
    return `error: ${(error as Error).message.split('\n')[0]}`;
  }
}
