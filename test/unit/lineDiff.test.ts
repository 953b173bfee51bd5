import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiffLine } from '../../src/vcluster/compare/comparisonModel';
import { diffLines } from '../../src/vcluster/compare/lineDiff';
import { seededRandom } from '../env/seededRandom';

/**
 * Both sides back from a diff: 'same' and 'removed' lines make `before`, 'same' and 'added' make
 * `after`. A skip stands for unchanged lines, taken from `before` at the current position (the
 * after side advances by as many).
 */
function reconstruct(diff: readonly DiffLine[], before: readonly string[]): { before: string[]; after: string[] } {
  const rebuilt = { before: [] as string[], after: [] as string[] };
  for (const line of diff) {
    if (line.op === 'skip') {
      const skipped = before.slice(rebuilt.before.length, rebuilt.before.length + line.count);
      rebuilt.before.push(...skipped);
      rebuilt.after.push(...skipped);
    } else {
      if (line.op !== 'added') rebuilt.before.push(line.text);
      if (line.op !== 'removed') rebuilt.after.push(line.text);
    }
  }
  return rebuilt;
}

const editCount = (diff: readonly DiffLine[]) => diff.filter((line) => line.op === 'added' || line.op === 'removed').length;

/** The edit distance without substitutions, n + m - 2·LCS, by the textbook O(n·m) table. */
function lcsEditDistance(before: readonly string[], after: readonly string[]): number {
  let previous = new Array<number>(after.length + 1).fill(0);
  for (let i = 1; i <= before.length; i++) {
    const current = new Array<number>(after.length + 1).fill(0);
    for (let j = 1; j <= after.length; j++) {
      current[j] = before[i - 1] === after[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
    }
    previous = current;
  }
  return before.length + after.length - 2 * previous[after.length];
}

/** Asserts every invariant a diff must hold, whatever the input. */
function checkDiff(before: readonly string[], after: readonly string[], diff: readonly DiffLine[], context: number): void {
  assert.deepEqual(reconstruct(diff, before), { before, after });
  for (let index = 0; index < diff.length; index++) {
    const line = diff[index];
    if (line.op === 'skip') {
      assert.ok(line.count > 0, 'a skip hides at least one line');
      assert.notEqual(diff[index + 1]?.op, 'skip', 'no two skips in a row');
    }
    // Removed before added: an added line is never directly followed by a removed one.
    if (line.op === 'added') assert.notEqual(diff[index + 1]?.op, 'removed', 'removed lines come before added ones');
  }
  // Shown unchanged lines: at most `context` next to a skip or at either end, 2·context between changes.
  let runStart = 0;
  for (let index = 0; index <= diff.length; index++) {
    if (index < diff.length && diff[index].op === 'same') continue;
    const run = index - runStart;
    if (run > 0) {
      const bySkip = diff[runStart - 1]?.op === 'skip' || diff[index]?.op === 'skip';
      const atEdge = runStart === 0 || index === diff.length;
      const limit = bySkip || atEdge ? context : 2 * context;
      assert.ok(run <= limit, `an uncollapsed run of ${run} unchanged lines (limit ${limit})`);
    }
    runStart = index + 1;
  }
}

const lines = (text: string) => (text === '' ? [] : text.split(''));

describe('line diff', () => {
  it('returns nothing for two empty inputs and one skip for equal ones', () => {
    assert.deepEqual(diffLines([], []), []);
    assert.deepEqual(diffLines(['a', 'b'], ['a', 'b']), [{ op: 'skip', count: 2 }]);
  });

  it('shows a whole side as added or removed against an empty one', () => {
    assert.deepEqual(diffLines([], ['a', 'b']), [{ op: 'added', text: 'a' }, { op: 'added', text: 'b' }]);
    assert.deepEqual(diffLines(['a'], []), [{ op: 'removed', text: 'a' }]);
  });

  it('puts removed lines before added ones in a changed region', () => {
    assert.deepEqual(diffLines(['a', 'x', 'y', 'b'], ['a', 'p', 'q', 'b']), [
      { op: 'same', text: 'a' },
      { op: 'removed', text: 'x' }, { op: 'removed', text: 'y' },
      { op: 'added', text: 'p' }, { op: 'added', text: 'q' },
      { op: 'same', text: 'b' },
    ]);
  });

  it('keeps `context` lines around each change and collapses the rest', () => {
    const before = Array.from({ length: 20 }, (_, index) => `line ${index}`);
    const after = [...before];
    after[10] = 'changed';
    assert.deepEqual(diffLines(before, after, 2), [
      { op: 'skip', count: 8 },
      { op: 'same', text: 'line 8' }, { op: 'same', text: 'line 9' },
      { op: 'removed', text: 'line 10' }, { op: 'added', text: 'changed' },
      { op: 'same', text: 'line 11' }, { op: 'same', text: 'line 12' },
      { op: 'skip', count: 7 },
    ]);
    // Two changes 2·context lines apart keep everything between them; one line further, a skip.
    const near = [...before];
    near[3] = 'x';
    near[8] = 'y';
    assert.ok(!diffLines(before, near, 2).slice(1, -1).some((line) => line.op === 'skip'));
    const far = [...before];
    far[3] = 'x';
    far[9] = 'y';
    assert.ok(diffLines(before, far, 2).slice(1, -1).some((line) => line.op === 'skip' && line.count === 1));
    // context 0: only the changes.
    assert.deepEqual(diffLines(before, after, 0), [{ op: 'skip', count: 10 }, { op: 'removed', text: 'line 10' }, { op: 'added', text: 'changed' }, { op: 'skip', count: 9 }]);
  });

  it('finds a minimal script on hand-picked cases', () => {
    const cases: Array<[string, string, number]> = [
      ['ABCABBA', 'CBABAC', 5], // the example of Myers' paper
      ['abc', 'abc', 0],
      ['abc', 'xyz', 6],
      ['abcdef', 'abxdef', 2],
      ['abcabc', 'abc', 3],
      ['aaaa', 'aaaaaaa', 3],
      ['', 'abc', 3],
      ['kitten', 'sitting', 5],
      ['abcdefgh', 'hgfedcba', 14],
    ];
    for (const [from, to, distance] of cases) {
      const diff = diffLines(lines(from), lines(to));
      assert.equal(editCount(diff), distance, `${from} → ${to}`);
      checkDiff(lines(from), lines(to), diff, 3);
    }
  });

  it('reconstructs both sides and is minimal on 400 seeded random cases', () => {
    const random = seededRandom(20_240_611);
    const pick = (count: number) => Math.floor(random() * count);
    for (let round = 0; round < 400; round++) {
      // A small alphabet makes many equal lines, the hard case for alignment.
      const alphabet = 1 + pick(6);
      const before = Array.from({ length: pick(30) }, () => `l${pick(alphabet)}`);
      // Half the cases are edits of `before`, half are unrelated.
      const after = random() < 0.5
        ? before.flatMap((line) => (random() < 0.15 ? [] : random() < 0.15 ? [line, `l${pick(alphabet)}`] : [line]))
        : Array.from({ length: pick(30) }, () => `l${pick(alphabet)}`);
      const context = pick(4);
      const diff = diffLines(before, after, context);
      checkDiff(before, after, diff, context);
      assert.equal(editCount(diff), lcsEditDistance(before, after), `round ${round}: ${before.join(',')} → ${after.join(',')}`);
    }
  });

  it('diffs 5,000 against 5,000 lines with a few changes in well under 100 ms', () => {
    const before = Array.from({ length: 5_000 }, (_, index) => `  key${index}: value ${index % 97}`);
    const after = [...before];
    for (const at of [17, 1_200, 2_500, 2_501, 4_990]) after[at] = `${after[at]} changed`;
    after.splice(3_000, 3);
    after.splice(4_000, 0, 'inserted a', 'inserted b');
    diffLines(before, after); // warm up the JIT, as the extension host is after the first diff
    const started = performance.now();
    const diff = diffLines(before, after);
    const elapsed = performance.now() - started;
    checkDiff(before, after, diff, 3);
    assert.equal(editCount(diff), 15);
    assert.ok(elapsed < 100, `took ${elapsed.toFixed(1)} ms`);
    console.log(`5,000 vs 5,000 lines, 15 edits: ${elapsed.toFixed(2)} ms`);
  });

  it('falls back to removed-then-added for inputs too far apart, still correct and fast', () => {
    const before = Array.from({ length: 5_000 }, (_, index) => `old ${index}`);
    const after = ['header', ...Array.from({ length: 5_000 }, (_, index) => `new ${index}`), 'footer'];
    before.unshift('header');
    before.push('footer');
    const started = performance.now();
    const diff = diffLines(before, after);
    const elapsed = performance.now() - started;
    checkDiff(before, after, diff, 3);
    assert.equal(editCount(diff), 10_000);
    assert.deepEqual(diff.slice(0, 2), [{ op: 'same', text: 'header' }, { op: 'removed', text: 'old 0' }]);
    assert.deepEqual(diff[5_001], { op: 'added', text: 'new 0' });
    assert.ok(elapsed < 1_000, `took ${elapsed.toFixed(1)} ms`);
  });
});
