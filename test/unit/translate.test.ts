// The syncer's host names, table by table. Every expected value below is what vcluster v0.36.1's
// own code answered (test/env/oracle/main.go); test/integration/translate.test.ts compares
// thousands more against it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clusterScopedHostName, hostName, safeConcatName, shortHostName } from '../../src/vcluster/mapping/hostNames';

const a = (count: number) => 'a'.repeat(count);

describe('hostName (SingleNamespaceHostName: NAME-x-NAMESPACE-x-VCLUSTER, at most 63 bytes)', () => {
  const cases: Array<[string, [name: string, namespace: string, vcluster: string], string]> = [
    ['a pod of a deployment', ['nginx-7d9c5b-abcde', 'default', 'my-vc'], 'nginx-7d9c5b-abcde-x-default-x-my-vc'],
    ['a join of exactly 63 bytes is kept', [a(45), 'default', 'my-vc'], `${a(45)}-x-default-x-my-vc`],
    ['a join of 64 bytes is cut to 52 bytes, "-" and 10 hex digits of its SHA-256', [`${a(45)}b`, 'default', 'my-vc'],
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab-x-def-b0470790ee'],
    ['a cut ending in "." drops it (".-" becomes "-"): 62 bytes', [`${a(51)}.b`, 'default', 'my-vc'], `${a(51)}-2257eab0f9`],
    ['a cut ending in the "-" separator keeps "--"', [a(51), 'default', 'my-vc'], `${a(51)}--4dc94f26be`],
    ['a vCluster name of 52 bytes is cut too', ['nginx', 'default', 'v'.repeat(52)], `nginx-x-default-x-${'v'.repeat(34)}-5bfa3ab72c`],
    ['an empty namespace still joins', ['my-storage-class', '', 'my-vc'], 'my-storage-class-x--x-my-vc'],
    ['an empty name has no host name', ['', 'default', 'my-vc'], ''],
  ];
  for (const [title, [name, namespace, vcluster], expected] of cases) {
    it(title, () => {
      const result = hostName(name, namespace, vcluster);
      assert.equal(result, expected);
      assert.ok(result.length <= 63, `${result.length} bytes`);
    });
  }

  it('cut results are 63 bytes, or 62 when the cut ended in "."', () => {
    assert.equal(hostName(`${a(45)}b`, 'default', 'my-vc').length, 63);
    assert.equal(hostName(`${a(51)}.b`, 'default', 'my-vc').length, 62);
  });
});

describe('clusterScopedHostName (HostNameCluster: vcluster-NAME-x-HOSTNAMESPACE-x-VCLUSTER)', () => {
  const cases: Array<[string, [name: string, hostNamespace: string, vcluster: string], string]> = [
    ['a storage class', ['my-storage-class', 'vcluster-my-vc', 'my-vc'], 'vcluster-my-storage-class-x-vcluster-my-vc-x-my-vc'],
    ['a long name is cut like any join', [a(45), 'vcluster-my-vc', 'my-vc'], `vcluster-${a(43)}-9baca9f3c6`],
    ['a cut ending in "." drops it', [`${'c'.repeat(42)}.dddd`, 'vcluster-my-vc', 'my-vc'], `vcluster-${'c'.repeat(42)}-243bdb6b4b`],
    ['an empty name has no host name', ['', 'vcluster-my-vc', 'my-vc'], ''],
  ];
  for (const [title, [name, hostNamespace, vcluster], expected] of cases) {
    it(title, () => assert.equal(clusterScopedHostName(name, hostNamespace, vcluster), expected));
  }
});

describe('shortHostName (HostNameShort: "v" and 13 base36 digits of SHA-256)', () => {
  const cases: Array<[string, [name: string, namespace: string, vcluster: string], string]> = [
    ['a pod of a deployment', ['nginx-7d9c5b-abcde', 'default', 'my-vc'], 'v2v54fp15fw3dw'],
    ['a name whose join would be cut', [`${a(45)}b`, 'default', 'my-vc'], 'v4e60c116dgobi'],
    // SHA-256 of "zero-288-x-default-x-my-vc" starts with a zero byte: base36 writes a leading "0".
    ['a digest with a leading zero byte', ['zero-288', 'default', 'my-vc'], 'v0e214g5bg0094'],
    ['an empty name has no host name', ['', 'default', 'my-vc'], ''],
  ];
  for (const [title, [name, namespace, vcluster], expected] of cases) {
    it(title, () => assert.equal(shortHostName(name, namespace, vcluster), expected));
  }

  it('starts with "v" and is 14 characters, whatever the input length', () => {
    for (const name of ['a', 'nginx-7d9c5b-abcde', a(63), `${'a.'.repeat(31)}a`]) {
      assert.match(shortHostName(name, 'default', 'my-vc'), /^v[0-9a-z]{13}$/);
    }
  });
});

describe('safeConcatName', () => {
  it('joins with "-" up to 63 bytes and cuts longer joins', () => {
    assert.equal(safeConcatName('a', 'x', 'b'), 'a-x-b');
    assert.equal(safeConcatName(a(45), 'x', 'default', 'x', 'my-vc'), hostName(a(45), 'default', 'my-vc'));
    assert.equal(safeConcatName(`${a(45)}b`, 'x', 'default', 'x', 'my-vc'), 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab-x-def-b0470790ee');
  });
});
