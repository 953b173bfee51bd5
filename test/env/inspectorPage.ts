import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { inspectorHtml } from '../../src/inspector/inspectorHtml';

/**
 * The page side of the inspector bench (bench/inspector.ts) and of the webview tests in Chromium
 * (test/e2e/inspectorWebview.e2e.test.ts): a tiny static server for the
 * production webview bundle, the page HTML the extension itself makes (inspectorHtml, with its
 * Content-Security-Policy), and the script installed before the bundle runs: a FAKE VS Code
 * webview host plus the bench's measuring hooks.
 */

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

export const PAGE_PATH = '/inspector.html';

export interface WebviewServer {
  /** The page's URL, on the server's origin. */
  url: string;
  /** The server's origin, http://127.0.0.1:PORT: what the page's CSP lets in (webview.cspSource in VS Code). */
  origin: string;
  /** Requests answered 404: a resource the page asked for that the bundle does not have. */
  missing: string[];
  close(): Promise<void>;
}

/**
 * Serves dist/webview on 127.0.0.1 (a free port), and at PAGE_PATH the page inspectorHtml()
 * makes for it, with the server's origin as cspSource, as the panel does with its webview URIs.
 */
export async function serveWebview(bundleDir: string, title: string): Promise<WebviewServer> {
  const root = resolve(bundleDir);
  const missing: string[] = [];
  let html = '';
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    const send = (status: number, type: string, body: string | Buffer) => {
      response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      response.end(body);
    };
    if (path === PAGE_PATH) {
      send(200, CONTENT_TYPES['.html']!, html);
      return;
    }
    // Chromium asks every origin for one; a webview has none. Not the page's request.
    if (path === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    const file = resolve(join(root, path));
    if (!file.startsWith(root + sep)) {
      missing.push(path);
      send(404, 'text/plain', 'not found');
      return;
    }
    readFile(file).then(
      (body) => send(200, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', body),
      () => {
        missing.push(path);
        send(404, 'text/plain', 'not found');
      },
    );
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as { port: number };
  const origin = `http://127.0.0.1:${port}`;
  html = inspectorHtml({
    cspSource: origin,
    scriptUri: `${origin}/main.js`,
    styleUri: `${origin}/main.css`,
    codiconUri: `${origin}/codicons/codicon.css`,
    title,
  });
  return {
    url: `${origin}${PAGE_PATH}`,
    origin,
    missing,
    close: () => new Promise<void>((resolveClose) => {
      server.closeAllConnections();
      server.close(() => resolveClose());
    }),
  };
}

/** What window.__bench.firstPaint() resolves to. */
export interface FirstPaintSample {
  /** t0 (just before window.postMessage(snapshot)) → after the first painted frame with rows. */
  ms: number;
  /** t0 → the app's message handler has returned (rows in the DOM, nothing painted yet). */
  handledMs: number;
  /** Row elements in the table's DOM after that frame (the table is windowed: the rows in view, not 10,000). */
  rowsInDom: number;
  /** The summary bar's "N pairs" text after that frame. */
  shown: string;
  viewportHeight: number;
}

/** What window.__bench.keyResult() resolves to. */
export interface KeystrokeSample {
  /** t0 (capture-phase keydown listener on window, performance.now()) → after the next painted frame. */
  ms: number;
  /** The same end, from the keydown event's own timeStamp (when the browser received the input). */
  fromEventMs: number;
  /** t0 → the `input` event has been handled (the table re-rendered). */
  inputMs: number;
  shownBefore: string;
  shownAfter: string;
  rowsInDom: number;
}

/**
 * Installed with page.addInitScript, so it runs in every page before the bundle. Plain
 * JavaScript in a string on purpose: functions handed to Playwright are sent as their source
 * text, and tsx's transform would add calls to its own __name helper, which the page lacks.
 *
 * Part one is the FAKE VS Code webview host: acquireVsCodeApi() as VS Code's webview provides it
 * (once per page; a second call throws, as in VS Code), keeping posted messages in
 * window.__posted and the state in window.__state. Host messages are delivered as VS Code's
 * webview delivers them to the page, as `message` events (window.postMessage from the page).
 *
 * Part two is window.__bench. "After the next painted frame" is measured everywhere the same
 * way: a requestAnimationFrame callback runs in the event loop's rendering step just before that
 * frame's style, layout and paint; a message posted on a MessageChannel from inside it is a new
 * task, which the event loop can only run once that rendering step is over, that is once the
 * frame holding the new rows has been painted (on the main thread; raster and compositing follow
 * on other threads). A MessageChannel task, unlike setTimeout(0), is not clamped or queued
 * behind timers.
 */
export const PAGE_SCRIPT = String.raw`
(() => {
  // ---- FAKE VS Code webview host (no VS Code here: the bench stands in for it) ----
  window.__posted = [];
  window.__state = undefined;
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('FAKE VS Code webview host: an instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage(message) { window.__posted.push(message); },
      getState() { return window.__state; },
      setState(state) { window.__state = state; },
    });
  };

  // ---- Content-Security-Policy violations, as the page itself reports them ----
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(event.violatedDirective + ' blocked ' + (event.blockedURI || '(inline)') + ' (' + (event.sourceFile || '?') + ':' + event.lineNumber + ')');
  }, true);

  // ---- the bench's hooks ----
  // With ready(): the first frame whose rAF callback finds ready() true, should the app ever
  // defer its rendering to a later frame.
  const afterNextPaint = (done, ready) => {
    requestAnimationFrame(() => {
      if (ready && !ready()) { afterNextPaint(done, ready); return; }
      const channel = new MessageChannel();
      channel.port1.onmessage = () => done(performance.now());
      channel.port2.postMessage(undefined);
    });
  };
  const shownText = () => (document.querySelector('.summary .shown') || {}).textContent || '';
  const rowsInDom = () => document.querySelectorAll('.viewport .row[data-id]').length;
  const timeout = (reject, what) => setTimeout(() => reject(new Error('bench page: ' + what + ' did not happen within 10 s')), 10000);

  let key = undefined;
  let keyPromise = undefined;
  window.addEventListener('keydown', (event) => {
    if (key && key.t0 === undefined) {
      key.t0 = performance.now();
      key.eventStamp = event.timeStamp;
      key.shownBefore = shownText();
    }
  }, true);
  // Bubble phase on window: runs after the search box's own listener has filtered and redrawn.
  window.addEventListener('input', () => {
    const waiting = key;
    if (!waiting || waiting.t0 === undefined || waiting.inputAt !== undefined) return;
    waiting.inputAt = performance.now();
    afterNextPaint((t1) => {
      key = undefined;
      clearTimeout(waiting.timer);
      waiting.resolve({
        ms: t1 - waiting.t0,
        fromEventMs: t1 - waiting.eventStamp,
        inputMs: waiting.inputAt - waiting.t0,
        shownBefore: waiting.shownBefore,
        shownAfter: shownText(),
        rowsInDom: rowsInDom(),
      });
    });
  });

  window.__bench = {
    /** Resolves once the app has posted {type:'ready'}; with the protocol version it sent. */
    ready() {
      return new Promise((resolve, reject) => {
        const timer = timeout(reject, 'the ready message');
        const poll = () => {
          const ready = window.__posted.find((message) => message && message.type === 'ready');
          if (ready) { clearTimeout(timer); resolve(ready.protocolVersion); } else setTimeout(poll, 10);
        };
        poll();
      });
    },
    /** Delivers window.__benchSnapshot as the host's message and times it to the painted frame. */
    firstPaint() {
      return new Promise((resolve, reject) => {
        const timer = timeout(reject, 'the snapshot\'s first paint');
        let t0 = 0;
        const onMessage = (event) => {
          if (!event.data || event.data.type !== 'snapshot') return;
          window.removeEventListener('message', onMessage);
          // Added after main.js's listener, so this runs once the app has handled the snapshot;
          // the app renders synchronously, so the rows are in the DOM now (else: the first frame
          // that has them).
          const handledAt = performance.now();
          afterNextPaint((t1) => {
            clearTimeout(timer);
            const viewport = document.querySelector('.viewport');
            resolve({ ms: t1 - t0, handledMs: handledAt - t0, rowsInDom: rowsInDom(), shown: shownText(), viewportHeight: viewport ? viewport.clientHeight : 0 });
          }, () => rowsInDom() > 0);
        };
        window.addEventListener('message', onMessage);
        t0 = performance.now();
        window.postMessage(window.__benchSnapshot, '*');
      });
    },
    /** Arms the keystroke probe: the next keydown starts the clock. */
    armKey() {
      const armed = {};
      keyPromise = new Promise((resolve, reject) => {
        armed.resolve = resolve;
        armed.timer = timeout(reject, 'the keystroke\'s input event and paint');
      });
      key = armed;
    },
    keyResult() {
      return keyPromise || Promise.reject(new Error('bench page: the keystroke probe was not armed'));
    },
    /** Resolves after the next painted frame, with the summary text then. */
    settled() {
      return new Promise((resolve) => afterNextPaint(() => resolve(shownText())));
    },
    report() {
      return { posted: window.__posted, cspViolations: window.__cspViolations };
    },
  };
})();
`;
