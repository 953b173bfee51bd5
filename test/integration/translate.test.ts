// src/vcluster/translate.ts against the vcluster syncer's own Go code (pkg/util/translate at the
// pinned vcluster version, run as test/env/oracle/main.go): a seeded table of generated names plus
// hand-picked edges goes through both, and every answer must be the same, byte for byte.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { runProcess } from '../../src/process/run';
import { clusterScopedHostName, hostName, shortHostName } from '../../src/vcluster/mapping/hostNames';
import { ensureTranslateOracle, type OracleAnswer, type OracleQuery } from '../env/translateOracle';
import { seededRandom } from '../env/seededRandom';

/** Enough for the oracle to answer thousands of lines (it takes well under a second). */
const ORACLE_TIMEOUT_MS = 60_000;
const RANDOM_CASES = 2_400;
const SEED = 0x5eed_1123;
const MAX_NAME_BYTES = 63;
/** SafeConcatName keeps this many bytes of a join longer than 63. */
const CUT_BYTES = 52;

interface TranslateCase extends OracleQuery {
  /** Why a hand-picked case is in the table ('random' for generated ones). */
  label: string;
}

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

class NameGenerator {
  constructor(private readonly random: () => number) {}

  private pick(chars: string): string {
    return chars[Math.floor(this.random() * chars.length)]!;
  }

  /** Lengths 1..63, weighted so short, medium and near-limit parts all occur often. */
  length(): number {
    const band = this.random();
    const [low, high] = band < 0.4 ? [1, 12] : band < 0.7 ? [13, 40] : [41, MAX_NAME_BYTES];
    return low + Math.floor(this.random() * (high - low + 1));
  }

  /**
   * A valid DNS-1123 name of `length` bytes: alphanumeric at both ends, '-' inside, and (when
   * dots are allowed) '.' only between alphanumerics, as in a subdomain's labels.
   */
  valid(length: number, dotChance: number): string {
    let name = '';
    for (let index = 0; index < length; index++) {
      const previous = name[name.length - 1];
      const atEnd = index === 0 || index === length - 1;
      const roll = this.random();
      if (atEnd || previous === '.') name += this.pick(ALPHANUMERIC);
      else if (roll < dotChance && previous !== '-') name += '.';
      else if (roll < dotChance + 0.12) name += '-';
      else name += this.pick(ALPHANUMERIC);
    }
    return name;
  }

  /** Any string over the characters (".-", leading and trailing separators): the functions are pure. */
  raw(length: number, chars: string): string {
    let text = '';
    for (let index = 0; index < length; index++) text += this.pick(chars);
    return text;
  }

  name(): string {
    const length = this.length();
    if (this.random() < 0.15) return this.raw(length, `${ALPHANUMERIC}-.-.-.`);
    return this.valid(length, this.random() < 0.3 ? 0.35 : 0.06);
  }

  /** Namespaces and vCluster names: DNS-1123 labels, no dots. */
  label(): string {
    const length = this.length();
    if (this.random() < 0.1) return this.raw(length, `${ALPHANUMERIC}---`);
    return this.valid(length, 0);
  }
}

function randomCases(count: number): TranslateCase[] {
  const generate = new NameGenerator(seededRandom(SEED));
  return Array.from({ length: count }, () => {
    const vcluster = generate.label();
    const hostNamespace = generate.label();
    return { label: 'random', name: generate.name(), namespace: generate.label(), vcluster, hostNamespace };
  });
}

/** The join SafeConcatName hashes for hostName and shortHostName. */
const hostJoin = (c: OracleQuery) => [c.name, 'x', c.namespace, 'x', c.vcluster].join('-');
const clusterJoin = (c: OracleQuery) => ['vcluster', c.name, 'x', c.hostNamespace, 'x', c.vcluster].join('-');

/** A name whose short-name digest starts with a zero byte: base36 then writes a leading "0". */
function nameWithZeroLeadingDigest(namespace: string, vcluster: string): string {
  for (let index = 0; ; index++) {
    const name = `zero-${index}`;
    const digest = createHash('sha256').update(hostJoin({ name, namespace, vcluster, hostNamespace: '' })).digest();
    if (digest[0] === 0) return name;
  }
}

function edgeCases(): TranslateCase[] {
  const base = { namespace: 'default', vcluster: 'my-vc', hostNamespace: 'vcluster-my-vc' };
  const a = (count: number) => 'a'.repeat(count);
  return [
    // "-x-default-x-my-vc" is 18 bytes: a 45-byte name joins to exactly 63, one more to 64.
    { label: 'host join of exactly 63 bytes', ...base, name: a(45) },
    { label: 'host join of exactly 64 bytes', ...base, name: `${a(45)}b` },
    // "vcluster-" + "-x-vcluster-my-vc-x-my-vc" is 34 bytes: a 29-byte name makes 63.
    { label: 'cluster join of exactly 63 bytes', ...base, name: a(29) },
    { label: 'cluster join of exactly 64 bytes', ...base, name: a(30) },
    // The 52nd byte of the join is '.': the cut would end ".-", which becomes "-".
    { label: "host cut ending in '.'", ...base, name: `${a(51)}.b` },
    { label: "host cut ending in '.' (longer name)", ...base, name: `${a(51)}.${'b'.repeat(11)}` },
    { label: "cluster cut ending in '.'", ...base, name: `${'c'.repeat(42)}.${'d'.repeat(20)}` },
    { label: "host cut ending in '..' (non-overlapping replace)", ...base, name: `${a(50)}..${'z'.repeat(10)}` },
    { label: "host cut ending in '-' (the separator)", ...base, name: a(51) },
    { label: "'.-' inside the kept 52 bytes", ...base, name: `a.-b.-c.-${a(50)}` },
    { label: "name ending in '.' at the 52nd byte", ...base, name: `${a(51)}.` },
    { label: 'name of 63 bytes', ...base, name: 'n'.repeat(63) },
    { label: 'all parts of 63 bytes', name: 'n'.repeat(63), namespace: 's'.repeat(63), vcluster: 'v'.repeat(63), hostNamespace: 'h'.repeat(63) },
    { label: 'vCluster name of 52 bytes', ...base, name: 'nginx', vcluster: 'v'.repeat(52) },
    { label: 'vCluster name of 52 bytes, dashed', ...base, name: 'web-0', vcluster: `team-a-${'x'.repeat(40)}-prod` },
    { label: 'vCluster name of 52 bytes, long host namespace', ...base, name: 'db', vcluster: 'k'.repeat(52), hostNamespace: `vcluster-${'k'.repeat(52)}` },
    { label: 'many dots', ...base, name: `${'a.'.repeat(31)}a` },
    { label: 'many dots, cut between dots', ...base, name: `${'ab.'.repeat(20)}abc` },
    { label: 'dotted name short enough to keep', ...base, name: 'kube-root-ca.crt' },
    { label: 'digits only', ...base, name: '0123456789', namespace: '42', vcluster: '7' },
    { label: 'empty name', ...base, name: '' },
    { label: 'empty name, long rest', name: '', namespace: 's'.repeat(63), vcluster: 'v'.repeat(63), hostNamespace: 'h'.repeat(63) },
    { label: 'empty namespace (cluster-scoped object)', ...base, name: 'my-storage-class', namespace: '' },
    { label: 'short-name digest with a leading zero byte', ...base, name: nameWithZeroLeadingDigest(base.namespace, base.vcluster) },
  ];
}

function translateInTypeScript(c: OracleQuery): OracleAnswer {
  return {
    host: hostName(c.name, c.namespace, c.vcluster),
    cluster: clusterScopedHostName(c.name, c.hostNamespace, c.vcluster),
    short: shortHostName(c.name, c.namespace, c.vcluster),
  };
}

describe('host names: src/vcluster/translate.ts against the vcluster syncer\'s own Go code', () => {
  const cases = [...edgeCases(), ...randomCases(RANDOM_CASES)];
  let answers: OracleAnswer[];

  before(async () => {
    const oracle = await ensureTranslateOracle();
    const input = cases.map(({ name, namespace, vcluster, hostNamespace }) => JSON.stringify({ name, namespace, vcluster, hostNamespace })).join('\n');
    const { stdout } = await runProcess(oracle, [], { input: `${input}\n`, timeoutMs: ORACLE_TIMEOUT_MS });
    answers = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as OracleAnswer);
  });

  it('the table is not vacuous: thousands of cases, cut joins, a cut on a dot, a zero-led digest', (t) => {
    assert.ok(cases.length >= 2_000, `${cases.length} cases`);
    assert.equal(answers.length, cases.length, 'one answer per case');
    const longHost = cases.filter((c) => c.name !== '' && hostJoin(c).length > MAX_NAME_BYTES).length;
    const longCluster = cases.filter((c) => c.name !== '' && clusterJoin(c).length > MAX_NAME_BYTES).length;
    const shortHost = cases.filter((c) => c.name !== '' && hostJoin(c).length <= MAX_NAME_BYTES).length;
    assert.ok(longHost >= 500 && longCluster >= 500, `joins over 63 bytes: ${longHost} host, ${longCluster} cluster`);
    assert.ok(shortHost >= 200, `joins of 63 bytes or fewer: ${shortHost}`);
    assert.ok(cases.some((c) => hostJoin(c).length === 63) && cases.some((c) => hostJoin(c).length === 64), 'joins of exactly 63 and 64 bytes');
    const hostDotCuts = cases.filter((c) => c.name !== '' && hostJoin(c).length > MAX_NAME_BYTES && hostJoin(c)[CUT_BYTES - 1] === '.');
    const clusterDotCuts = cases.filter((c) => c.name !== '' && clusterJoin(c).length > MAX_NAME_BYTES && clusterJoin(c)[CUT_BYTES - 1] === '.');
    assert.ok(hostDotCuts.length > 0 && clusterDotCuts.length > 0, `cuts ending in '.': ${hostDotCuts.length} host, ${clusterDotCuts.length} cluster`);
    // The ".-" rule must have shortened some Go answers, or the dot cases tested nothing.
    assert.ok(hostDotCuts.some((c) => answers[cases.indexOf(c)]!.host.length === MAX_NAME_BYTES - 1), "a Go answer of 62 bytes from a '.' cut");
    const zeroLed = cases.filter((c) => c.name !== '' && createHash('sha256').update(hostJoin(c)).digest()[0] === 0).length;
    assert.ok(zeroLed > 0, 'a short-name digest with a leading zero byte');
    assert.ok(cases.some((c) => c.name.split('.').length > 10), 'a name with many dots');
    assert.ok(cases.some((c) => c.vcluster.length >= 52), 'a vCluster name of 52 bytes or more');
    t.diagnostic(`${cases.length} cases; joins over 63 bytes: ${longHost} host, ${longCluster} cluster; cuts on '.': `
      + `${hostDotCuts.length} host, ${clusterDotCuts.length} cluster; zero-led digests: ${zeroLed}`);
  });

  const fields: Array<[keyof OracleAnswer, string]> = [
    ['host', 'hostName equals SingleNamespaceHostName (namespaced objects)'],
    ['cluster', 'clusterScopedHostName equals HostNameCluster (cluster-scoped objects)'],
    ['short', 'shortHostName equals HostNameShort (base36 short names)'],
  ];
  for (const [field, title] of fields) {
    it(`${title} in every case`, () => {
      const differing = cases.flatMap((c, index) => {
        const ours = translateInTypeScript(c)[field];
        const go = answers[index]![field];
        return ours === go ? [] : [{ case: c, typescript: ours, go }];
      });
      assert.equal(differing.length, 0,
        `${differing.length} of ${cases.length} cases differ; the first ${Math.min(5, differing.length)}:\n`
        + differing.slice(0, 5).map((d) => JSON.stringify(d)).join('\n'));
    });
  }

  it('Go\'s short names have the shape the extension expects: "v" and 13 base36 digits', () => {
    for (const [index, c] of cases.entries()) {
      if (c.name === '') assert.equal(answers[index]!.short, '');
      else assert.match(answers[index]!.short, /^v[0-9a-z]{13}$/, JSON.stringify(c));
    }
  });
});
