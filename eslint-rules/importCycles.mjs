// ESLint rule `house/no-import-cycles`: fails on any import cycle among the project's own modules,
// type-only imports included (they still tie two modules' meanings together). It reads the
// imports of the other files itself (a regex over each file's text, cached by modification time),
// so it needs no type information and runs in a plain `eslint .`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const IMPORT_PATTERN = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
const COMMENT_PATTERN = /\/\*[\s\S]*?\*\/|(^|[^:])\/\/[^\n]*/g;
const importsCache = new Map();

/** The project file a relative specifier names, or undefined (a built file, a missing one). */
export function resolveImport(fromFile, specifier) {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [base, `${base}.ts`, `${base}/index.ts`];
  if (base.endsWith('.js')) candidates.push(`${base.slice(0, -3)}.ts`);
  return candidates.find((candidate) => /\.(ts|mts|js|mjs)$/.test(candidate) && existsSync(candidate) && statSync(candidate).isFile());
}

/** The project files a file imports (static, dynamic, type-only, re-exports). */
export function importsOf(file) {
  let mtime;
  try {
    mtime = statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const cached = importsCache.get(file);
  if (cached && cached.mtime === mtime) return cached.imports;
  const text = readFileSync(file, 'utf8').replace(COMMENT_PATTERN, '$1');
  const imports = new Set();
  for (const match of text.matchAll(IMPORT_PATTERN)) {
    const target = resolveImport(file, match[1]);
    if (target && target !== file) imports.add(target);
  }
  const list = [...imports];
  importsCache.set(file, { mtime, imports: list });
  return list;
}

/** A path of imports from `start` back to `goal` (both included), or undefined. Breadth-first: the shortest. */
export function pathBack(start, goal, inScope) {
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    for (const next of importsOf(file)) {
      if (!inScope(next)) continue;
      if (next === goal) {
        const path = [goal, file];
        for (let step = previous.get(file); step !== undefined; step = previous.get(step)) path.push(step);
        return path.reverse().slice(0);
      }
      if (previous.has(next)) continue;
      previous.set(next, file);
      queue.push(next);
    }
  }
  return undefined;
}

export const noImportCycles = {
  meta: {
    type: 'problem',
    docs: { description: 'Disallow import cycles (type-only imports included) among the project\'s modules.' },
    schema: [{ type: 'object', properties: { roots: { type: 'array', items: { type: 'string' } } }, additionalProperties: false }],
    messages: { cycle: 'Import cycle: {{cycle}}. Move what both need into a module of its own, or pass it in.' },
  },
  create(context) {
    const file = context.physicalFilename ?? context.filename;
    const cwd = context.cwd ?? process.cwd();
    const roots = (context.options[0]?.roots ?? ['src', 'webview']).map((root) => resolve(cwd, root));
    const inScope = (path) => roots.some((root) => path.startsWith(`${root}/`));
    if (!inScope(file)) return {};
    const check = (node, specifier) => {
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
      const target = resolveImport(file, specifier);
      if (!target || target === file || !inScope(target)) return;
      const back = pathBack(target, file, inScope);
      if (!back) return;
      const cycle = [file, ...back].map((path) => relative(cwd, path)).join(' → ');
      context.report({ node, messageId: 'cycle', data: { cycle } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      TSImportType: (node) => {
        const literal = node.argument?.literal ?? node.argument;
        if (literal?.type === 'Literal') check(node, literal.value);
      },
    };
  },
};

export default { rules: { 'no-import-cycles': noImportCycles } };
