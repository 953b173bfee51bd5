import { LineCounter, parseDocument } from 'yaml';

/**
 * YAML from a cluster or a user's file, parsed so that a problem says where but never quotes:
 * the yaml package's pretty errors copy the offending lines, which may hold a key or a password,
 * into the message, and messages end up in the log.
 */
export function parseYamlQuietly(text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: false, lineCounter });
  const first = document.errors[0];
  if (first) {
    const position = lineCounter.linePos(first.pos[0]);
    return { ok: false, problem: `not valid YAML${position ? ` at line ${position.line}, column ${position.col}` : ''} (${first.code})` };
  }
  try {
    return { ok: true, value: document.toJS() as unknown };
  } catch {
    // toJS's own message names the alias, which is content.
    return { ok: false, problem: 'not valid YAML (an alias that cannot be expanded)' };
  }
}
