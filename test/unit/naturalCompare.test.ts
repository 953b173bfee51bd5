import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { naturalCompare } from '../../src/shared/naturalCompare';
import { seededRandom } from '../env/seededRandom';

/** The same order written plainly: split into digit runs and single characters, compare token by token. */
function referenceCompare(a: string, b: string): number {
  const tokens = (text: string) => text.match(/\d+|\D/g) ?? [];
  const left = tokens(a);
  const right = tokens(b);
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const x = left[index]!;
    const y = right[index]!;
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    if (numeric) {
      const difference = BigInt(x) - BigInt(y);
      if (difference !== 0n) return difference < 0n ? -1 : 1;
    } else if (x !== y) {
      // A digit run against a character: its first digit decides (digits sit together in UTF-16).
      return x.charCodeAt(0) < y.charCodeAt(0) ? -1 : 1;
    }
  }
  if (left.length !== right.length) return left.length < right.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

describe('naturalCompare', () => {
  it('orders digit runs by value, the rest by code unit', () => {
    const names = ['web-10', 'web-2', 'web-1', 'web', 'api-0', 'web-01', 'web-1a', 'Web-3', 'web-100', 'web-9', 'db-0-x-default-x-vc'];
    assert.deepEqual([...names].sort(naturalCompare), ['Web-3', 'api-0', 'db-0-x-default-x-vc', 'web', 'web-01', 'web-1', 'web-1a', 'web-2', 'web-9', 'web-10', 'web-100']);
    assert.equal(naturalCompare('pod-7', 'pod-7'), 0);
    assert.ok(naturalCompare('x99999999999999999999', 'x100000000000000000000') < 0, 'numbers beyond 2^53 too');
  });

  it('agrees with a plain tokenizing comparison, and is a total order, on 20,000 seeded random pairs', () => {
    const random = seededRandom(2026_11_23);
    const alphabet = ['0', '1', '2', '9', '0', 'a', 'b', '-', '.', 'Z', '/'];
    const word = () => Array.from({ length: Math.floor(random() * 8) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    const sign = (value: number) => (value < 0 ? -1 : value > 0 ? 1 : 0);
    for (let round = 0; round < 20_000; round++) {
      const a = word();
      const b = word();
      const c = word();
      assert.equal(sign(naturalCompare(a, b)), sign(referenceCompare(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      assert.equal(sign(naturalCompare(a, b)) + sign(naturalCompare(b, a)), 0, `antisymmetric: ${a} ${b}`);
      assert.equal(naturalCompare(a, b) === 0, a === b, `0 only for equal strings: ${a} ${b}`);
      if (naturalCompare(a, b) < 0 && naturalCompare(b, c) < 0) assert.ok(naturalCompare(a, c) < 0, `transitive: ${a} < ${b} < ${c}`);
    }
  });
});
