import { LineCounter, parseDocument, type YAMLError } from 'yaml';

/**
 * YAML from a cluster or a user's file, parsed so that a problem says where but never quotes:
 * the yaml package's pretty errors copy the offending lines, which may hold a key or a password,
 * into the message, and messages end up in the log.
 */
export function parseYamlQuietly(text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: false, lineCounter });
  const first = document.errors[0];
  if (first) return { ok: false, problem: yamlErrorProblem(first, lineCounter) };
  try {
    return { ok: true, value: document.toJS() as unknown };
  } catch {
    // toJS's own message names the alias, which is content.
    return { ok: false, problem: 'not valid YAML (an alias that cannot be expanded)' };
  }
}

/** A parse error as `not valid YAML at line L, column C (CODE)`: where, never the text there. */
export function yamlErrorProblem(error: YAMLError, lineCounter: LineCounter): string {
  const position = lineCounter.linePos(error.pos[0]);
  return `not valid YAML${position ? ` at line ${position.line}, column ${position.col}` : ''} (${error.code})`;
}
