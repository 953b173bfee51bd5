// watchList against a FAKE API server on 127.0.0.1: it exists only to provoke what the real API
// server will not do on demand (streams cut mid-line, 410 Gone, ERROR events, failures in a row,
// a server that never answers). The real list-and-watch runs against real API servers in
// test/integration/mapping.test.ts.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeClient } from '../../src/kube/client';
import { aKubeConfigFor } from './builders/kube';
import { sleep, watchList, type RawObject, type WatchEventType, type WatchHandlers, type WatchOptions } from '../../src/kube/watch';

type Route = (request: IncomingMessage, response: ServerResponse, url: URL) => void;

/** The FAKE API server: each test sets `route`; every request is recorded. */
class FakeApiServer {
  route: Route = (_request, response) => response.writeHead(404).end();
  readonly requests: Array<{ url: URL; accept: string | undefined; at: number }> = [];
  readonly sockets = new Set<Socket>();
  private server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      this.requests.push({ url, accept: request.headers.accept, at: Date.now() });
      this.route(request, response, url);
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  reset(route: Route): void {
    this.route = route;
    this.requests.length = 0;
  }

  client(): KubeClient {
    return new KubeClient(aKubeConfigFor(`http://127.0.0.1:${this.port}`));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const pod = (name: string, resourceVersion: string): RawObject => ({ metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion } });
const line = (type: string, object: unknown) => `${JSON.stringify({ type, object })}\n`;
const isWatch = (url: URL) => url.searchParams.get('watch') === '1';

/** Records what the handlers see; resolves `until` when a condition holds (bounded). */
function recorder() {
  const log: string[] = [];
  const relists: Array<{ names: string[]; resourceVersion: string }> = [];
  const events: Array<{ type: WatchEventType; name: string }> = [];
  const errors: Array<{ message: string; retryInMs: number }> = [];
  const handlers: WatchHandlers = {
    onRelist: (items, resourceVersion) => {
      relists.push({ names: items.map((item) => item.metadata?.name ?? ''), resourceVersion });
      log.push(`relist ${resourceVersion}`);
    },
    onEvent: (type, object) => {
      events.push({ type, name: object.metadata?.name ?? '' });
      log.push(`${type} ${object.metadata?.name}`);
    },
    onError: (error, retryInMs) => {
      errors.push({ message: error instanceof Error ? error.message : String(error), retryInMs });
      log.push(`error ${retryInMs}`);
    },
  };
  const until = async (what: string, condition: () => boolean, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; saw: ${log.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return { log, relists, events, errors, handlers, until };
}

describe('watchList against a FAKE API server (provokes stream errors the real one will not produce on demand)', () => {
  const server = new FakeApiServer();
  const fast: WatchOptions = { initialBackoffMs: 20, maxBackoffMs: 80, requestTimeoutMs: 2000 };

  before(() => server.start());
  after(() => server.stop());

  it('lists in pages, then watches from the list\'s version with bookmarks, and re-watches from the last version seen when a stream ends', async () => {
    let watches = 0;
    server.reset((_request, response, url) => {
      if (!isWatch(url)) {
        const page = url.searchParams.get('continue') === 'page2'
          ? { metadata: { resourceVersion: '10' }, items: [pod('b', '9')] }
          : { metadata: { resourceVersion: '10', continue: 'page2' }, items: [pod('a', '8')] };
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(page));
        return;
      }
      watches++;
      response.writeHead(200, { 'Content-Type': 'application/json' });
      if (watches === 1) {
        // An event split across two writes, a bookmark, then a clean end.
        const added = line('ADDED', pod('c', '11'));
        response.write(added.slice(0, 10));
        setTimeout(() => {
          response.write(added.slice(10) + line('MODIFIED', pod('a', '12')) + line('BOOKMARK', { kind: 'Pod', metadata: { resourceVersion: '15' } }));
          response.end();
        }, 20);
      } else {
        response.write(line('DELETED', pod('b', '16')));
      }
    });
    const seen = recorder();
    const controller = new AbortController();
    const done = watchList(server.client(), '/api/v1/namespaces/ns/pods', { ...fast, query: { labelSelector: 'app=web' }, pageSize: 1 }, seen.handlers, controller.signal);
    await seen.until('the second stream\'s DELETED', () => seen.events.length === 3);
    controller.abort();
    await done;

    assert.deepEqual(seen.relists, [{ names: ['a', 'b'], resourceVersion: '10' }]);
    assert.deepEqual(seen.events, [{ type: 'ADDED', name: 'c' }, { type: 'MODIFIED', name: 'a' }, { type: 'DELETED', name: 'b' }]);
    assert.deepEqual(seen.errors, [], 'a stream that delivered events and ended is no failure');
    const lists = server.requests.filter((request) => !isWatch(request.url));
    assert.deepEqual(lists.map((request) => [request.url.searchParams.get('limit'), request.url.searchParams.get('continue'), request.url.searchParams.get('labelSelector')]), [['1', null, 'app=web'], ['1', 'page2', 'app=web']]);
    const watchRequests = server.requests.filter((request) => isWatch(request.url)).map((request) => request.url.searchParams);
    assert.equal(watchRequests[0]?.get('resourceVersion'), '10');
    assert.equal(watchRequests[0]?.get('allowWatchBookmarks'), 'true');
    assert.equal(watchRequests[0]?.get('labelSelector'), 'app=web');
    assert.ok(Number(watchRequests[0]?.get('timeoutSeconds')) >= 300, 'the server is asked to end each watch (bounded)');
    assert.equal(watchRequests[1]?.get('resourceVersion'), '15', 'the bookmark\'s version, not a relist');
  });

  it('relists at once on an ERROR event with code 410 and on an HTTP 410 to the watch', async () => {
    let lists = 0;
    let watches = 0;
    server.reset((_request, response, url) => {
      if (!isWatch(url)) {
        lists++;
        response.writeHead(200).end(JSON.stringify({ metadata: { resourceVersion: String(lists * 100) }, items: [pod(`list${lists}`, '1')] }));
        return;
      }
      watches++;
      if (watches === 1) {
        response.writeHead(200).end(line('ERROR', { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version: 100 (150)', reason: 'Expired', code: 410 }));
      } else if (watches === 2) {
        response.writeHead(410, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'Status', message: 'resourceVersion 200 is too old', code: 410 }));
      } else {
        response.writeHead(200).write(line('ADDED', pod('live', '301')));
      }
    });
    const seen = recorder();
    const controller = new AbortController();
    const started = Date.now();
    const done = watchList(server.client(), '/api/v1/pods', fast, seen.handlers, controller.signal);
    await seen.until('the third list and a live event', () => seen.events.length === 1);
    const elapsed = Date.now() - started;
    controller.abort();
    await done;
    assert.deepEqual(seen.relists.map((relist) => relist.resourceVersion), ['100', '200', '300']);
    assert.deepEqual(seen.errors, [], '410 is not an error: it means "relist"');
    assert.ok(elapsed < 1000, `relisting does not wait for a backoff (${elapsed} ms)`);
    const versions = server.requests.filter((request) => isWatch(request.url)).map((request) => request.url.searchParams.get('resourceVersion'));
    assert.deepEqual(versions, ['100', '200', '300']);
  });

  it('backs off exponentially, bounded, on failures in a row; succeeds after; and a server that keeps answering 410 to fresh lists is backed off too', async () => {
    let lists = 0;
    server.reset((_request, response, url) => {
      if (!isWatch(url)) {
        lists++;
        if (lists <= 5) {
          response.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'Status', message: 'etcdserver: leader changed', code: 500 }));
          return;
        }
        if (lists <= 7) {
          response.writeHead(410).end(JSON.stringify({ kind: 'Status', message: 'continue token expired', code: 410 }));
          return;
        }
        response.writeHead(200).end(JSON.stringify({ metadata: { resourceVersion: '5' }, items: [] }));
        return;
      }
      response.writeHead(200).write(line('ADDED', pod('x', '6')));
    });
    const seen = recorder();
    const controller = new AbortController();
    const done = watchList(server.client(), '/api/v1/pods', fast, seen.handlers, controller.signal);
    await seen.until('the event after recovery', () => seen.events.length === 1);
    controller.abort();
    await done;
    // 5 failures: 20, 40, 80 (the cap), 80, 80; then a 410 relists at once; the second 410 in a
    // row counts as a failure (80).
    assert.deepEqual(seen.errors.map((error) => error.retryInMs), [20, 40, 80, 80, 80, 80]);
    assert.match(seen.errors[0]!.message, /leader changed/);
    const listTimes = server.requests.filter((request) => !isWatch(request.url)).map((request) => request.at);
    const gaps = listTimes.slice(1).map((at, index) => at - listTimes[index]!);
    for (const [index, expected] of [20, 40, 80, 80, 80].entries()) {
      assert.ok(gaps[index]! >= expected - 5, `retry ${index + 1} waited ${gaps[index]} ms, at least ${expected}`);
    }
    assert.ok(gaps[5]! < 60, `the first 410 relists at once (${gaps[5]} ms)`);
    assert.ok(gaps[6]! >= 75, `the second 410 in a row waits (${gaps[6]} ms)`);
  });

  it('re-watches from the last version after a stream cut mid-line, and after an ERROR event that is not 410', async () => {
    let watches = 0;
    server.reset((request, response, url) => {
      if (!isWatch(url)) {
        response.writeHead(200).end(JSON.stringify({ metadata: { resourceVersion: '1' }, items: [] }));
        return;
      }
      watches++;
      response.writeHead(200);
      if (watches === 1) {
        response.write(line('ADDED', pod('first', '2')) + '{"type":"ADDED","obj');
        setTimeout(() => request.socket.destroy(), 20);
      } else if (watches === 2) {
        response.end(line('ERROR', { kind: 'Status', message: 'internal error', code: 500 }));
      } else {
        response.write(line('ADDED', pod('second', '3')));
      }
    });
    const seen = recorder();
    const controller = new AbortController();
    const done = watchList(server.client(), '/api/v1/pods', fast, seen.handlers, controller.signal);
    await seen.until('the event after two failures', () => seen.events.length === 2);
    controller.abort();
    await done;
    assert.deepEqual(seen.events.map((event) => event.name), ['first', 'second']);
    assert.equal(seen.relists.length, 1, 'no relist: the last version is still good');
    assert.equal(seen.errors.length, 2);
    assert.match(seen.errors[0]!.message, /cut off|socket hang up|aborted|ECONNRESET/);
    assert.match(seen.errors[1]!.message, /internal error \(500\)/);
    const versions = server.requests.filter((request) => isWatch(request.url)).map((request) => request.url.searchParams.get('resourceVersion'));
    assert.deepEqual(versions, ['1', '2', '2']);
  });

  it('bounds waiting for a watch that never answers, and a stream that ends at once without events is backed off', async () => {
    let watches = 0;
    server.reset((_request, response, url) => {
      if (!isWatch(url)) {
        response.writeHead(200).end(JSON.stringify({ metadata: { resourceVersion: '1' }, items: [] }));
        return;
      }
      watches++;
      if (watches === 1) return; // never answers
      if (watches <= 3) {
        response.writeHead(200).end();
        return;
      }
      response.writeHead(200).write(line('ADDED', pod('late', '2')));
    });
    const seen = recorder();
    const controller = new AbortController();
    const done = watchList(server.client(), '/api/v1/pods', { ...fast, requestTimeoutMs: 150 }, seen.handlers, controller.signal);
    await seen.until('the event', () => seen.events.length === 1);
    controller.abort();
    await done;
    assert.equal(seen.errors.length, 3);
    assert.match(seen.errors[0]!.message, /no answer to the watch of \/api\/v1\/pods within 150 ms/);
    assert.match(seen.errors[1]!.message, /ended without events/);
    assert.deepEqual(seen.errors.map((error) => error.retryInMs), [20, 40, 80]);
  });

  it('asks for metadata only when told, and falls back to full objects on 406', async () => {
    server.reset((request, response, url) => {
      const accept = request.headers.accept ?? '';
      if (accept.startsWith('application/json;as=PartialObjectMetadata')) {
        response.writeHead(406).end(JSON.stringify({ kind: 'Status', message: 'only the following media types are accepted: application/json', code: 406 }));
        return;
      }
      if (!isWatch(url)) response.writeHead(200).end(JSON.stringify({ metadata: { resourceVersion: '1' }, items: [pod('full', '1')] }));
      else response.writeHead(200).write(line('ADDED', pod('watched', '2')));
    });
    const seen = recorder();
    const controller = new AbortController();
    const done = watchList(server.client(), '/api/v1/secrets', { ...fast, metadataOnly: true }, seen.handlers, controller.signal);
    await seen.until('the event', () => seen.events.length === 1);
    controller.abort();
    await done;
    assert.match(server.requests[0]!.accept ?? '', /^application\/json;as=PartialObjectMetadataList;v=v1;g=meta\.k8s\.io/);
    assert.equal(server.requests[1]!.accept, 'application/json');
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(seen.relists[0]?.names, ['full']);
  });

  it('metadata only "required" (Secrets): offers nothing else, and a 406 is an error rather than a request for whole objects', async () => {
    let refuse = true;
    server.reset((_request, response, url) => {
      if (refuse) {
        response.writeHead(406).end(JSON.stringify({ kind: 'Status', message: 'only the following media types are accepted: application/json', code: 406 }));
        return;
      }
      if (!isWatch(url)) response.writeHead(200).end(JSON.stringify({ kind: 'PartialObjectMetadataList', metadata: { resourceVersion: '1' }, items: [pod('listed', '1')] }));
      else response.writeHead(200).write(line('ADDED', pod('watched', '2')));
    });
    const seen = recorder();
    const controller = new AbortController();
    const done = watchList(server.client(), '/api/v1/secrets', { ...fast, metadataOnly: 'required' }, seen.handlers, controller.signal);
    await seen.until('two refusals', () => seen.errors.length === 2);
    refuse = false;
    await seen.until('the event', () => seen.events.length === 1);
    controller.abort();
    await done;
    assert.match(seen.errors[0]!.message, /only the following media types/);
    const lists = server.requests.filter((request) => !isWatch(request.url));
    const watches = server.requests.filter((request) => isWatch(request.url));
    assert.ok(lists.length >= 3 && watches.length >= 1);
    assert.ok(lists.every((request) => request.accept === 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1'), 'every list asks for metadata only, nothing else');
    assert.ok(watches.every((request) => request.accept === 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1'), 'every watch too');
    assert.deepEqual(seen.relists.at(-1)?.names, ['listed']);
  });

  it('stops cleanly on abort: resolves at once, even mid-backoff, closes its connection and sends nothing more', async () => {
    server.reset((_request, response, url) => {
      if (!isWatch(url)) response.writeHead(200).end(JSON.stringify({ metadata: { resourceVersion: '1' }, items: [] }));
      else response.writeHead(200).write(line('ADDED', pod('x', '2')));
    });
    const seen = recorder();
    const controller = new AbortController();
    const done = watchList(server.client(), '/api/v1/pods', fast, seen.handlers, controller.signal);
    await seen.until('the open stream', () => seen.events.length === 1);
    assert.equal(server.sockets.size, 1, 'one open watch connection');
    const stopped = Date.now();
    controller.abort();
    await done;
    assert.ok(Date.now() - stopped < 100, 'resolved at once');
    await seen.until('the server to see the connection closed', () => server.sockets.size === 0, 2000);
    const requests = server.requests.length;
    await sleep(200, new AbortController().signal);
    assert.equal(server.requests.length, requests, 'no request after abort');

    // Mid-backoff (maximum 10 s): abort ends the wait.
    server.reset((_request, response) => response.writeHead(500).end('{}'));
    const failing = recorder();
    const second = new AbortController();
    const slow = watchList(server.client(), '/api/v1/pods', { initialBackoffMs: 10_000 }, failing.handlers, second.signal);
    await failing.until('the first failure', () => failing.errors.length === 1);
    const aborted = Date.now();
    second.abort();
    await slow;
    assert.ok(Date.now() - aborted < 100, 'the backoff wait ended with the abort');
    assert.deepEqual(failing.errors.map((error) => error.retryInMs), [10_000]);
  });
});
