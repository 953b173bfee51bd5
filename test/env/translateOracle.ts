// The vcluster syncer's own naming code as a program: vcluster-translate-oracle (test/env/go/
// translate-oracle/main.go) calls github.com/loft-sh/vcluster/pkg/util/translate at the pinned
// vcluster version, so the TypeScript copy in src/vcluster/translate.ts is checked against the real
// thing. It is built with the other local binaries (scripts/lib/localBuild.mjs).
import { join } from 'node:path';
import { ensureLocalBinariesDir, TRANSLATE_ORACLE } from './localBinaries';

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

/** The oracle's path, built with the other local binaries (by the set-up, normally). */
export async function ensureTranslateOracle(): Promise<string> {
  return join(await ensureLocalBinariesDir(), TRANSLATE_ORACLE);
}
