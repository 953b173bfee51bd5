// Two bundles: the extension (Node, CommonJS, `vscode` external) and the webview app (browser).
// `node esbuild.js` builds for development (source maps), `--production` minifies for release,
// `--watch` rebuilds on change. Type-checking is separate: `npm run typecheck`.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints esbuild's problems in the form VS Code's $esbuild-watch problem matcher reads. */
const problemReporter = {
  name: 'problem-reporter',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

/**
 * The extension loads the Kubernetes client (dist/core-bundle.js) with require('./core-bundle.js') on
 * first use; keep that require as it is instead of inlining the module into extension.js.
 */
const lazyCoreBundle = {
  name: 'lazy-core-bundle',
  setup(build) {
    build.onResolve({ filter: /^\.\/core-bundle\.js$/ }, () => ({ path: './core-bundle.js', external: true }));
  },
};

const shared = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  metafile: true,
  plugins: [problemReporter],
};

const extensionBuild = {
  ...shared,
  entryPoints: {
    extension: path.join(__dirname, 'src', 'extension.ts'),
    'core-bundle': path.join(__dirname, 'src', 'coreBundle.ts'),
  },
  outdir: path.join(__dirname, 'dist'),
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  plugins: [problemReporter, lazyCoreBundle],
  // The first statement of the bundle: lets activation logs split module loading from activate().
  banner: { js: 'var __bundleStartMs = performance.now();' },
  // Prefer ES module builds so esbuild can drop the parts of client-node we never import.
  mainFields: ['module', 'main'],
};

const webviewBuild = {
  ...shared,
  entryPoints: [path.join(__dirname, 'webview', 'main.ts')],
  outfile: path.join(__dirname, 'dist', 'webview', 'main.js'),
  platform: 'browser',
  format: 'iife',
  target: 'chrome120',
  tsconfig: path.join(__dirname, 'webview', 'tsconfig.json'),
};

/**
 * The codicon font and its style sheet, next to the webview bundle: the webview may load files
 * from dist/webview only (localResourceRoots), and the web components look the sheet up by id.
 */
function copyCodicons() {
  const from = path.join(__dirname, 'node_modules', '@vscode', 'codicons', 'dist');
  const to = path.join(__dirname, 'dist', 'webview', 'codicons');
  fs.mkdirSync(to, { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(from, file), path.join(to, file));
}

async function main() {
  // A stale source map or bundle from another mode must never be packaged.
  if (!watch) fs.rmSync(path.join(__dirname, 'dist'), { recursive: true, force: true });
  copyCodicons();
  const contexts = await Promise.all([esbuild.context(extensionBuild), esbuild.context(webviewBuild)]);
  if (watch) {
    await Promise.all(contexts.map((context) => context.watch()));
    return;
  }
  try {
    const results = await Promise.all(contexts.map((context) => context.rebuild()));
    for (const result of results) {
      for (const [file, output] of Object.entries(result.metafile.outputs)) {
        if (!file.endsWith('.map')) console.log(`${file}: ${(output.bytes / 1024).toFixed(1)} KiB`);
      }
    }
  } finally {
    await Promise.all(contexts.map((context) => context.dispose()));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
