// Lint for the extension, the webview app, tests and scripts. The rule that matters most:
// the core (src/kube, src/vcluster, src/hostcluster, src/process) never imports `vscode`,
// so it stays testable in plain Node.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import house from './eslint-rules/importCycles.mjs';

const nodeGlobals = {
  process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly',
  clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly',
  AbortController: 'readonly', AbortSignal: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable',
  fetch: 'readonly', structuredClone: 'readonly', setImmediate: 'readonly', TextDecoder: 'readonly',
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-output/**', '.vscode-test/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: nodeGlobals },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-syntax': ['error', {
        selector: "CallExpression[callee.property.name='exec'][callee.object.name=/child_process|cp/]",
        message: 'Run programs with execFile/spawn and an argument array, never a shell string.',
      }],
      'no-restricted-properties': ['error', { object: 'child_process', property: 'execSync', message: 'Use spawn/execFile with an argument array.' }],
    },
  },
  {
    // No import cycles in the extension or the webview app, type-only imports included.
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    plugins: { house },
    rules: { 'house/no-import-cycles': ['error', { roots: ['src', 'webview'] }] },
  },
  {
    files: ['src/kube/**', 'src/vcluster/**', 'src/hostcluster/**', 'src/process/**', 'src/shared/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The core must not depend on VS Code: keep it testable in plain Node (see house style).' }],
        patterns: [{ group: ['**/tree/**', '**/commands/**', '**/container', '**/extension', '**/settings', '**/outputLogger'], message: 'The core must not import the VS Code layer.' }],
      }],
    },
  },
  {
    // The wire format stays at the edge: src/inspector maps the core's model to the protocol.
    files: ['src/kube/**', 'src/vcluster/**', 'src/hostcluster/**', 'src/process/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The core must not depend on VS Code: keep it testable in plain Node (see house style).' }],
        patterns: [
          { group: ['**/tree/**', '**/commands/**', '**/container', '**/extension', '**/settings', '**/outputLogger'], message: 'The core must not import the VS Code layer.' },
          { group: ['**/shared/protocol'], message: 'The core keeps its own model types; src/inspector maps them to the webview protocol.' },
        ],
      }],
    },
  },
  {
    // Layers outside src/: scripts/lib and scripts/setup (plain Node, run before npm ci) are the
    // bottom; test/env builds on them; the entry scripts (scripts/*.ts) and the tests on both.
    files: ['scripts/lib/**', 'scripts/setup/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/test/**', '../*.ts', '../cluster', '../start'], message: 'scripts/lib and scripts/setup are the bottom layer: they must not import test/env or the entry scripts.' }] }],
    },
  },
  {
    files: ['webview/**'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', MessageEvent: 'readonly', HTMLElement: 'readonly' } },
    rules: {
      // The browser bundle shares only src/shared (the protocol and pure helpers) with the extension.
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The webview runs in a browser: no VS Code API.' }],
        patterns: [{ group: ['../src/*', '!../src/shared'], message: 'The webview may import only src/shared from the extension.' }],
      }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
