import type { DiffLine } from './comparisonModel';

/**
 * A unified line diff for the mapping inspector: Myers' O(ND) algorithm ("An O(ND) Difference
 * Algorithm and Its Variations", 1986), so the edit script is minimal, with unchanged runs far
 * from any change collapsed to a 'skip'.
 */

/**
 * Above this many edits we stop searching for the minimal script. Myers takes O((N+M)·D) time,
 * and remembering each step's frontier for the walk back takes O(D²) memory: about 8 MB at
 * D = 2,000, but 200 MB at D = 10,000. Two objects that far apart are not worth aligning line by
 * line anyway, so past this bound the middle is shown as removed, then added.
 */
const MAX_EDIT_DISTANCE = 2_000;

/** A run of `length` lines equal in both: before[beforeStart…] = after[afterStart…]. */
interface CommonRun {
  beforeStart: number;
  afterStart: number;
  length: number;
}

/**
 * The diff of `before` → `after`: 'same', 'removed' (only in before), 'added' (only in after);
 * in each changed region removed lines come before added ones. Keeps `context` unchanged lines
 * next to each change and replaces the rest with { op: 'skip', count }.
 */
export function diffLines(before: readonly string[], after: readonly string[], context = 3): DiffLine[] {
  const keep = Number.isFinite(context) ? Math.max(0, Math.floor(context)) : 0;
  return render(before, after, commonRuns(before, after), keep);
}

/** The lines both sides share, in order, as maximal runs; what lies between runs changed. */
function commonRuns(before: readonly string[], after: readonly string[]): CommonRun[] {
  let prefix = 0;
  const shorter = Math.min(before.length, after.length);
  while (prefix < shorter && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;

  // Only the middle goes through Myers: the usual edit (a few lines in a long object) costs
  // almost nothing, and the prefix and suffix are common runs in any minimal script.
  const [middleBefore, middleAfter] = internLines(before.slice(prefix, before.length - suffix), after.slice(prefix, after.length - suffix));
  const middleRuns = myersCommonRuns(middleBefore, middleAfter) ?? [];

  const runs: CommonRun[] = [{ beforeStart: 0, afterStart: 0, length: prefix }];
  for (const run of middleRuns) runs.push({ beforeStart: run.beforeStart + prefix, afterStart: run.afterStart + prefix, length: run.length });
  runs.push({ beforeStart: before.length - suffix, afterStart: after.length - suffix, length: suffix });
  return mergeAdjacent(runs.filter((run) => run.length > 0));
}

/** Lines as small integers, equal when the lines are, so the inner loop compares numbers. */
function internLines(before: readonly string[], after: readonly string[]): [Int32Array, Int32Array] {
  const ids = new Map<string, number>();
  const toIds = (lines: readonly string[]) => Int32Array.from(lines, (line) => {
    let id = ids.get(line);
    if (id === undefined) ids.set(line, (id = ids.size));
    return id;
  });
  return [toIds(before), toIds(after)];
}

/**
 * Myers' greedy forward search, then a walk back through the saved frontiers. Returns the common
 * runs of one minimal edit script, or undefined when it needs more than MAX_EDIT_DISTANCE edits.
 */
function myersCommonRuns(before: Int32Array, after: Int32Array): CommonRun[] | undefined {
  const n = before.length;
  const m = after.length;
  if (n === 0 || m === 0) return [];
  const maxEdits = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = maxEdits + 1;
  // furthest[k + offset]: the furthest x reached on diagonal k = x - y with the edits so far.
  const furthest = new Int32Array(2 * maxEdits + 3);
  // frontiers[d]: furthest x on diagonals -d, -d+2, …, d after d edits, which the walk back reads.
  const frontiers: Int32Array[] = [];
  let editCount = -1;
  search: for (let d = 0; d <= maxEdits; d++) {
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && furthest[offset + k - 1] < furthest[offset + k + 1]);
      let x = down ? furthest[offset + k + 1] : furthest[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && before[x] === after[y]) {
        x++;
        y++;
      }
      furthest[offset + k] = x;
      if (x >= n && y >= m) {
        editCount = d;
        break search;
      }
    }
    const frontier = new Int32Array(d + 1);
    for (let k = -d; k <= d; k += 2) frontier[(k + d) >> 1] = furthest[offset + k];
    frontiers.push(frontier);
  }
  if (editCount < 0) return undefined;

  const runs: CommonRun[] = [];
  let x = n;
  let y = m;
  for (let d = editCount; d > 0; d--) {
    const previous = frontiers[d - 1];
    const reachedOn = (diagonal: number) => previous[(diagonal + d - 1) >> 1];
    const k = x - y;
    // The same choice the forward search made at this step (an insertion moves down a row).
    const down = k === -d || (k !== d && reachedOn(k - 1) < reachedOn(k + 1));
    const previousK = down ? k + 1 : k - 1;
    const previousX = reachedOn(previousK);
    const previousY = previousX - previousK;
    const snakeStartX = down ? previousX : previousX + 1;
    if (x > snakeStartX) runs.push({ beforeStart: snakeStartX, afterStart: snakeStartX - k, length: x - snakeStartX });
    x = previousX;
    y = previousY;
  }
  if (x > 0) runs.push({ beforeStart: 0, afterStart: 0, length: x });
  return runs.reverse();
}

function mergeAdjacent(runs: CommonRun[]): CommonRun[] {
  const merged: CommonRun[] = [];
  for (const run of runs) {
    const last = merged[merged.length - 1];
    if (last && last.beforeStart + last.length === run.beforeStart && last.afterStart + last.length === run.afterStart) last.length += run.length;
    else merged.push({ ...run });
  }
  return merged;
}

/** The unified diff: each gap between common runs as removed then added, runs collapsed. */
function render(before: readonly string[], after: readonly string[], runs: readonly CommonRun[], context: number): DiffLine[] {
  const lines: DiffLine[] = [];
  const sameLines = (start: number, count: number) => {
    for (let index = start; index < start + count; index++) lines.push({ op: 'same', text: before[index] });
  };
  const skip = (count: number) => {
    if (count > 0) lines.push({ op: 'skip', count });
  };
  let beforeAt = 0;
  let afterAt = 0;
  // A sentinel empty run at the end makes the last gap one more gap.
  for (const run of [...runs, { beforeStart: before.length, afterStart: after.length, length: 0 }]) {
    for (; beforeAt < run.beforeStart; beforeAt++) lines.push({ op: 'removed', text: before[beforeAt] });
    for (; afterAt < run.afterStart; afterAt++) lines.push({ op: 'added', text: after[afterAt] });
    if (run.length === 0) continue;
    const leading = run.beforeStart === 0 && run.afterStart === 0;
    const trailing = run.beforeStart + run.length === before.length && run.afterStart + run.length === after.length;
    const shown = Math.min(run.length, context);
    if (leading && trailing) {
      skip(run.length);
    } else if (leading) {
      skip(run.length - shown);
      sameLines(run.beforeStart + run.length - shown, shown);
    } else if (trailing) {
      sameLines(run.beforeStart, shown);
      skip(run.length - shown);
    } else if (run.length > 2 * context) {
      sameLines(run.beforeStart, context);
      skip(run.length - 2 * context);
      sameLines(run.beforeStart + run.length - context, context);
    } else {
      sameLines(run.beforeStart, run.length);
    }
    beforeAt = run.beforeStart + run.length;
    afterAt = run.afterStart + run.length;
  }
  return lines;
}
