// `npm run go:pin`: writes test/env/go/go.mod and go.sum, the pinned Go module that builds every
// local binary (scripts/lib/localBuild.mjs), from the versions in scripts/lib/versions.mjs. Run it
// after changing one of them and commit both files: builds then download exactly what they name,
// checked against go.sum, and never need `go mod tidy`.
//
// vcluster requires pre-release loft-sh modules the Go checksum database does not list; its own
// go.sum records their hashes, so the new go.sum starts from it and every download is still checked.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGo } from '../scripts/lib/go.mjs';
import { downloadModule, LOCAL_MODULE_DIR } from '../scripts/lib/localBuild.mjs';
import { versions } from '../scripts/lib/versions.mjs';
import { localWrapperGoMod, VCLUSTER_MODULE } from '../test/env/localBinaries';

const HEADER = [
  '// Pinned by `npm run go:pin` from scripts/lib/versions.mjs: the one module that builds every local',
  '// binary (scripts/lib/localBuild.mjs). Edit the versions there and run it again; do not edit by hand.',
  '',
].join('\n');

async function main(): Promise<void> {
  const kubernetes = await downloadModule('k8s.io/kubernetes', versions.kubernetes);
  const vcluster = await downloadModule(VCLUSTER_MODULE, versions.vcluster);
  const scratch = mkdtempSync(join(tmpdir(), 'go-pin-'));
  try {
    mkdirSync(join(scratch, 'translate-oracle'));
    copyFileSync(join(LOCAL_MODULE_DIR, 'translate-oracle', 'main.go'), join(scratch, 'translate-oracle', 'main.go'));
    writeFileSync(join(scratch, 'go.mod'), localWrapperGoMod(kubernetes.goMod));
    writeFileSync(join(scratch, 'go.sum'), readFileSync(join(vcluster.dir, 'go.sum')));
    await runGo(['mod', 'tidy'], scratch, 20 * 60_000);
    writeFileSync(join(LOCAL_MODULE_DIR, 'go.mod'), HEADER + readFileSync(join(scratch, 'go.mod'), 'utf8'));
    copyFileSync(join(scratch, 'go.sum'), join(LOCAL_MODULE_DIR, 'go.sum'));
    console.log(`[go:pin] wrote ${join(LOCAL_MODULE_DIR, 'go.mod')} and go.sum`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(`[go:pin] ${error.message}`);
  process.exit(1);
});
