import { build } from 'esbuild';
import { join } from 'node:path';

/** Bundles the in-host suite to plain JS: the extension host loads it with require(), not tsx. */
export async function buildInHostSuite(root: string): Promise<string> {
  const outdir = join(root, 'out', 'inhost');
  await build({
    entryPoints: [join(root, 'test', 'inhost', 'suite', 'index.ts'), join(root, 'test', 'inhost', 'suite', 'extension.inhost.ts')],
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return join(outdir, 'index.js');
}
