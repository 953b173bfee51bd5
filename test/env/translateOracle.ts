// The vcluster syncer's own naming code as a program: vcluster-translate-oracle (test/env/oracle/
// main.go) calls github.com/loft-sh/vcluster/pkg/util/translate at the pinned vcluster version, so
// the TypeScript copy in src/vcluster/translate.ts is checked against the real thing. Built like the
// other binaries: a wrapper module (holding main.go) seeded with vcluster's go.sum, built from the
// module proxy into the cache, keyed by the vcluster version and main.go's content.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error -- plain .mjs module without type declarations
import { step } from '../../scripts/lib/cache.mjs';
// @ts-expect-error -- plain .mjs module without type declarations
import { versions } from '../../scripts/lib/versions.mjs';
import { buildGoPrograms, downloadModule, wrapperGoMod, wrapperModuleDir, type BuildReport, type GoProgramsRecipe } from './goBuild';

const ORACLE = 'vcluster-translate-oracle';
const ORACLE_SOURCE = join(__dirname, 'oracle', 'main.go');
const VCLUSTER_MODULE = 'github.com/loft-sh/vcluster';
const MODULE_TIMEOUT_MS = 20 * 60_000;

/** What one line of the oracle's input holds: a virtual object and where its vCluster runs. */
export interface OracleQuery {
  name: string;
  namespace: string;
  vcluster: string;
  hostNamespace: string;
}

/** The syncer's answers: SingleNamespaceHostName, HostNameCluster and HostNameShort(...).Name. */
export interface OracleAnswer {
  host: string;
  cluster: string;
  short: string;
}

function oracleRecipe(source: string): GoProgramsRecipe {
  const sourceHash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  return {
    // A changed main.go is a different program: its own wrapper and binary folder.
    key: `${ORACLE}-${versions.vcluster}-${sourceHash}`,
    goMod: async () => wrapperGoMod(ORACLE, [[VCLUSTER_MODULE, versions.vcluster]], []),
    // As for the vcluster build: its go.sum vouches for pre-release modules the checksum database lacks.
    seedGoSum: async () => readFileSync(join((await downloadModule(VCLUSTER_MODULE, versions.vcluster, MODULE_TIMEOUT_MS)).dir, 'go.sum'), 'utf8'),
    // The wrapper module's own root package is the program.
    programs: [{ pkg: `vcluster-vscode.local/${ORACLE}`, out: ORACLE }],
    ldflags: '-s -w',
  };
}

/**
 * Builds the oracle unless cached (cold: the wrapper's modules and the translate package's
 * dependencies; warm: a stamp check) and returns the binary's path.
 */
export async function ensureTranslateOracle(report: BuildReport = { peakBuildRssMiB: 0, built: [] }): Promise<string> {
  const source = readFileSync(ORACLE_SOURCE, 'utf8');
  const recipe = oracleRecipe(source);
  // main.go must be in the wrapper before `go mod tidy` runs there, or tidy drops the requirement.
  const wrapperSource = join(wrapperModuleDir(recipe.key), 'main.go');
  if (!existsSync(wrapperSource) || readFileSync(wrapperSource, 'utf8') !== source) writeFileSync(wrapperSource, source);
  const dir = await step(`${ORACLE} (vcluster ${versions.vcluster})`, () => buildGoPrograms(recipe, report, step));
  return join(dir, ORACLE);
}
