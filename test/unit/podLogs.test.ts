import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { KubeClient } from '../../src/kube/client';
import { aKubeConfigFor } from './builders/kube';
import { followPodLog, LogBuffer, LogLineSplitter, MAX_LINE_LENGTH, splitTimestamp } from '../../src/kube/podLogs';

describe('pod logs: lines, buffer, timestamps', () => {
  it('decodes a character split between two chunks, and keeps a last line without a newline', () => {
    const splitter = new LogLineSplitter();
    const bytes = Buffer.from('grüße\nzwei ✓', 'utf8');
    const cut = bytes.indexOf(Buffer.from('ü')) + 1; // in the middle of ü
    assert.deepEqual([...splitter.push(bytes.subarray(0, cut)), ...splitter.push(bytes.subarray(cut)), ...splitter.end()], ['grüße', 'zwei ✓']);
  });

  it('removes colour codes, shows binary and control characters as U+FFFD, drops CR of CRLF, keeps tabs, and cuts a very long line with a note', () => {
    const splitter = new LogLineSplitter();
    const lines = splitter.push(Buffer.concat([Buffer.from('a\tb\r\n'), Buffer.from([0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x00, 0xff, 0x0a]), Buffer.from(`${'x'.repeat(MAX_LINE_LENGTH + 10)}\n`)]));
    assert.equal(lines[0], 'a\tb');
    assert.equal(lines[1], '\ufffd\ufffd', 'the colour code removed, NUL and the invalid byte shown as U+FFFD');
    assert.equal(lines[2]?.length, MAX_LINE_LENGTH + ' … [line cut: 16,394 characters]'.length);
    assert.match(lines[2] ?? '', /… \[line cut: 16,394 characters\]$/);
  });

  it('keeps the last N lines and says how many earlier ones were dropped', () => {
    const buffer = new LogBuffer(3);
    buffer.append(['1', '2']);
    buffer.append(['3', '4', '5']);
    assert.equal(buffer.text(), '[2 earlier lines dropped: this tab keeps the last 3]\n3\n4\n5');
    assert.equal(buffer.text(['[a note]']).split('\n').at(-1), '[a note]');
  });

  it('splits the API server\'s timestamp prefix off a line', () => {
    assert.deepEqual(splitTimestamp('2026-12-07T10:00:00.123456789Z hello world'), { time: '2026-12-07T10:00:00.123456789Z', text: 'hello world' });
    assert.deepEqual(splitTimestamp('no time here'), { text: 'no time here' });
  });
});

/**
 * A FAKE API server for the log endpoint alone: it cuts a follow stream after the lines it was
 * given, as an API server or kubelet restart does, which the real one will not do on demand.
 */
class FakeLogServer {
  readonly requests: URLSearchParams[] = [];
  /** Per request, in turn: lines to send (then end), or a status to answer. */
  answers: Array<{ lines: string[]; intervalMs?: number } | { status: number; message: string }> = [];
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      this.requests.push(url.searchParams);
      const answer = this.answers.shift() ?? { status: 404, message: 'pods "web" not found' };
      if ('status' in answer) {
        response.writeHead(answer.status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ kind: 'Status', status: 'Failure', message: answer.message, code: answer.status, reason: answer.status === 404 ? 'NotFound' : 'BadRequest' }));
        return;
      }
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      if (answer.intervalMs) {
        // A slow log: one line per interval, then the end.
        const lines = [...answer.lines];
        const timer = setInterval(() => {
          const line = lines.shift();
          if (line === undefined) {
            clearInterval(timer);
            response.end();
          } else {
            response.write(`${line}\n`);
          }
        }, answer.intervalMs);
        return;
      }
      // Byte by byte for the first line: the client must put it together.
      const [first, ...rest] = answer.lines.map((line) => Buffer.from(`${line}\n`));
      for (const byte of first ?? []) response.write(Buffer.from([byte]));
      for (const line of rest) response.write(line);
      response.end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  client(): KubeClient {
    return new KubeClient(aKubeConfigFor(`http://127.0.0.1:${this.port}`));
  }
}

describe('followPodLog against a FAKE log endpoint (a stream cut on demand)', () => {
  const server = new FakeLogServer();
  before(() => server.start());
  after(() => server.stop());

  it('follows, reconnects from the last line\'s second after a cut without repeating lines, says so only when a reconnect fails, and ends when the pod is gone', async () => {
    server.requests.length = 0;
    server.answers = [
      // A log repeats a line within one instant: both are shown.
      { lines: ['2026-12-07T10:00:00.100000000Z one', '2026-12-07T10:00:01.200000000Z two', '2026-12-07T10:00:01.200000000Z two'] },
      // The reconnect asks from 10:00:01: the server sends that second again, then new lines.
      { lines: ['2026-12-07T10:00:00.900000000Z zero', '2026-12-07T10:00:01.200000000Z two', '2026-12-07T10:00:01.200000000Z two', '2026-12-07T10:00:01.700000000Z three', '2026-12-07T10:00:02.000000000Z four'] },
      // The next reconnect fails once (the API server restarting), then the pod is gone.
      { status: 503, message: 'the server is shutting down' },
      { status: 404, message: 'pods "web" not found' },
    ];
    const shown: string[] = [];
    await followPodLog(server.client(), { namespace: 'ns', pod: 'web', container: 'app' }, {
      lines: (lines) => shown.push(...lines),
      note: (message) => shown.push(message),
    }, AbortSignal.timeout(10_000), { initialBackoffMs: 10, maxBackoffMs: 20 });
    assert.deepEqual(shown, [
      'one', 'two', 'two',
      // A stream the server ends and that picks up again at once is not worth a line in the tab.
      'three', 'four',
      '[log stream cut (the server is shutting down (503)); reconnecting…]',
      '[pod ns/web is gone: the log ends here]',
    ]);
    assert.equal(server.requests[0]?.get('follow'), 'true');
    assert.equal(server.requests[0]?.get('container'), 'app');
    assert.equal(server.requests[0]?.get('tailLines'), '10000');
    assert.equal(server.requests[1]?.get('sinceTime'), '2026-12-07T10:00:01Z');
    assert.equal(server.requests[1]?.get('tailLines'), null);
  });

  it('bounds the wait for the server\'s answer, not the stream: a log followed longer than the request timeout is not cut', async () => {
    server.requests.length = 0;
    const lines = Array.from({ length: 8 }, (_, index) => `2026-12-07T10:00:0${index}.000000000Z line ${index}`);
    server.answers = [{ lines, intervalMs: 100 }, { status: 404, message: 'pods "web" not found' }];
    const shown: string[] = [];
    await followPodLog(server.client(), { namespace: 'ns', pod: 'web', container: 'app' }, { lines: (batch) => shown.push(...batch), note: (message) => shown.push(message) }, AbortSignal.timeout(10_000), { initialBackoffMs: 10, maxBackoffMs: 20, requestTimeoutMs: 250 });
    assert.deepEqual(shown, [...lines.map((line) => line.replace(/^\S+ /, '')), '[pod ns/web is gone: the log ends here]']);
    assert.equal(server.requests.length, 2, 'one stream for the whole log (800 ms > the 250 ms bound), then the reconnect that finds the pod gone');
  });

  it('reads the previous run once, without following, and reports a container with no log as an error', async () => {
    server.requests.length = 0;
    server.answers = [{ lines: ['2026-12-07T09:00:00Z before the crash'] }];
    const shown: string[] = [];
    await followPodLog(server.client(), { namespace: 'ns', pod: 'web', container: 'app', previous: true }, { lines: (lines) => shown.push(...lines), note: (message) => shown.push(message) }, AbortSignal.timeout(10_000));
    assert.deepEqual(shown, ['before the crash']);
    assert.equal(server.requests[0]?.get('previous'), 'true');
    assert.equal(server.requests[0]?.get('follow'), null);

    server.answers = [{ status: 400, message: 'previous terminated container "app" in pod "web" not found' }];
    await assert.rejects(followPodLog(server.client(), { namespace: 'ns', pod: 'web', container: 'app', previous: true }, { lines: () => undefined, note: () => undefined }, AbortSignal.timeout(10_000)), /previous terminated container "app" in pod "web" not found/);
  });

  it('stops at once when the tab is closed (the signal aborts)', async () => {
    server.answers = [{ lines: ['2026-12-07T10:00:00Z one'] }, { lines: [] }, { lines: [] }, { lines: [] }];
    const controller = new AbortController();
    const started = Date.now();
    const done = followPodLog(server.client(), { namespace: 'ns', pod: 'web', container: 'app' }, { lines: () => controller.abort(), note: () => undefined }, controller.signal, { initialBackoffMs: 5_000 });
    await done;
    assert.ok(Date.now() - started < 2_000, `stopped after ${Date.now() - started} ms`);
  });
});
