import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHostMessage, parseWebviewMessage, PROTOCOL_VERSION } from '../../src/shared/protocol';

describe('webview protocol validation', () => {
  it('accepts the messages it defines', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready', protocolVersion: PROTOCOL_VERSION }), { type: 'ready', protocolVersion: PROTOCOL_VERSION });
    assert.deepEqual(parseHostMessage({ type: 'hello', protocolVersion: 1, title: 't' }), { type: 'hello', protocolVersion: 1, title: 't' });
  });

  it('drops unknown fields instead of passing them through', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'reportError', message: 'x', command: 'rm -rf' }), { type: 'reportError', message: 'x' });
  });

  it('rejects anything malformed', () => {
    for (const bad of [null, undefined, 42, 'ready', [], {}, { type: 'ready' }, { type: 'ready', protocolVersion: '1' },
      { type: 'toString' }, { type: '__proto__' }, { type: 'reportError', message: 'x'.repeat(10_001) }, { type: 'hello', protocolVersion: 1, title: 't' }]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
    assert.equal(parseHostMessage({ type: 'ready', protocolVersion: 1 }), undefined);
  });
});
