#!/usr/bin/env node
// Packages the already-built bundles as out/vcluster-vscode-<version>.vsix with @vscode/vsce.
// Dependencies are bundled by esbuild, so vsce is told not to walk node_modules. The project has
// no public repository URL to rewrite the README's relative image links to: they stay relative and
// the images ship inside the package (.vscodeignore), where the details page finds them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const output = join(root, 'out', `${name}-${version}.vsix`);
mkdirSync(dirname(output), { recursive: true });
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const result = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', output], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  timeout: 120_000,
});
if (result.status !== 0) {
  console.error(`vsce package failed (${result.error?.message ?? `exit ${result.status}`})`);
  process.exit(1);
}
console.log(output);
