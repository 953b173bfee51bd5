// The house rules lint enforces, run through ESLint with the project's own config: an import
// cycle (type-only too) fails, and the core importing the webview protocol fails.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { ESLint } from 'eslint';

const root = resolve(__dirname, '..', '..');
const eslint = new ESLint({ cwd: root });
const messagesFor = async (filePath: string, text: string) => (await eslint.lintText(text, { filePath: join(root, filePath) }))[0]?.messages ?? [];

describe('lint: the house rules', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'lint-rules-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('fails on an import cycle through the real source, naming the whole cycle', async () => {
    // identity.ts is imported by mapping.ts; identity importing mapping back closes a cycle.
    const messages = await messagesFor('src/vcluster/identity.ts', "import type { MappingPair } from './mapping/mapping';\nexport type Probe = MappingPair;\n");
    const cycle = messages.find((message) => message.ruleId === 'house/no-import-cycles');
    assert.ok(cycle, `no cycle reported: ${JSON.stringify(messages)}`);
    assert.match(cycle.message, /src\/vcluster\/identity\.ts → src\/vcluster\/mapping\/mapping\.ts → src\/vcluster\/identity\.ts/);
  });

  it('fails on a cycle of type-only imports, and passes the same files without it', async () => {
    mkdirSync(join(scratch, 'src'));
    writeFileSync(join(scratch, 'src', 'a.ts'), "import type { B } from './b';\nexport interface A { b?: B }\n");
    writeFileSync(join(scratch, 'src', 'b.ts'), "import type { A } from './a';\nexport interface B { a?: A }\n");
    writeFileSync(join(scratch, 'src', 'c.ts'), "import type { A } from './a';\nexport type C = A;\n");
    const { noImportCycles } = await import('../../eslint-rules/importCycles.mjs');
    const scratchLint = new ESLint({
      cwd: scratch,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: (await import('typescript-eslint')).parser }, plugins: { house: { rules: { 'no-import-cycles': noImportCycles } } }, rules: { 'house/no-import-cycles': ['error', { roots: ['src'] }] } }],
    });
    const results = await scratchLint.lintFiles(['src/*.ts']);
    const reported = Object.fromEntries(results.map((result) => [result.filePath.slice(scratch.length + 1), result.messages.map((message) => message.message)]));
    assert.match(reported['src/a.ts']?.[0] ?? '', /src\/a\.ts → src\/b\.ts → src\/a\.ts/);
    assert.match(reported['src/b.ts']?.[0] ?? '', /src\/b\.ts → src\/a\.ts → src\/b\.ts/);
    assert.deepEqual(reported['src/c.ts'], [], 'c only imports into the cycle; it is not part of it');

    writeFileSync(join(scratch, 'src', 'b.ts'), 'export interface B { a?: unknown }\n');
    const fixed = await scratchLint.lintFiles(['src/*.ts']);
    assert.deepEqual(fixed.flatMap((result) => result.messages), []);
  });

  it('fails when the core imports the webview protocol, and allows it at the edge (src/inspector)', async () => {
    const text = "import type { PairDetail } from '../../shared/protocol';\nexport type Probe = PairDetail;\n";
    const core = await messagesFor('src/vcluster/compare/probe.ts', text);
    assert.ok(core.some((message) => message.ruleId === 'no-restricted-imports' && /src\/inspector maps them/.test(message.message)), JSON.stringify(core));
    const edge = await messagesFor('src/inspector/probe.ts', "import type { PairDetail } from '../shared/protocol';\nexport type Probe = PairDetail;\n");
    assert.deepEqual(edge.filter((message) => message.ruleId === 'no-restricted-imports'), []);
  });

  it('fails when the bottom layer (scripts/lib) imports test/env', async () => {
    const messages = await messagesFor('scripts/lib/probe.mjs', "import { cacheRoot } from '../../test/env/paths';\nexport const probe = cacheRoot;\n");
    assert.ok(messages.some((message) => message.ruleId === 'no-restricted-imports' && /bottom layer/.test(message.message)), JSON.stringify(messages));
  });
});
