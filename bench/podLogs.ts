import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { KubeClient, kubeConfigForContext } from '../src/kube/client';
import { loadKubeconfig } from '../src/kube/kubeconfig';
import { followPodLog, LogBuffer, MAX_LOG_LINES, type PodLogTarget } from '../src/kube/podLogs';
import { runProcess } from '../src/process/run';
import { ensureHostBinaries } from '../test/env/hostBinaries';
import { clusterDir, downHostCluster, upHostCluster } from '../test/env/hostCluster';

/**
 * The log tab under a fast log (issue 18), on a real host (the local host cluster: kube-apiserver
 * built here, kwok simulating the container), two figures:
 *
 * (1) How many lines per second the tab's reader keeps up with, beside `kubectl logs -f` in the
 *     same run. The producer is a file in the CRI log format (`<time> stdout F <text>`, one line
 *     per entry) that kwok serves as the pod's log, as a kubelet serves a container's log file
 *     (kwok runs the kubelet's own reader, k8s.io/cri-client's ReadLogs: fsnotify follow, one
 *     flushed write per line) through the real API server. Both readers follow the same pod at
 *     the same time, so they read the same source over two streams. A worker thread appends lines
 *     of ~120 characters, each with a sequence number, at stepped rates (BENCH_LOG_RATES, default
 *     1,000 / 5,000 / 20,000 / 50,000 lines/s, BENCH_LOG_STEP_SECONDS each, default 5), in
 *     batches every ~5 ms, each batch one write.
 *       - the extension: `followPodLog` (src/kube/podLogs.ts) feeding a `LogBuffer`, and every
 *         150 ms after new lines a `buffer.text()`: what the log tab does (logDocuments.ts),
 *         without VS Code (which then diffs and paints that text: not counted here).
 *       - `kubectl logs -f` (the kubectl built here), spawned with an argument array; its stdout
 *         lines are counted.
 *     Per step and reader: lines of the step received by 2 s after the producer's last write,
 *     divided by the time from the step's start to the last of them (or to that deadline); kept
 *     up = the step's last line was there by then; lag = from the producer's last write to the
 *     reader having the step's last line; the worst lag of a line during the step (its due time
 *     to its arrival). A reader that fell behind gets up to 20 s more to catch up before the next
 *     step starts (so one step's backlog does not count against the next); the highest rate kept
 *     up with counts only steps with every slower step kept up too.
 *     The readers, the producer's thread and the counting share this machine's cores with the API
 *     server and kwok, as they would on a laptop with a local cluster; the CPU each used in every
 *     step is reported (from /proc), as are the extension's stream openings (a reconnect) and its
 *     body chunks, seen through a KubeClient subclass that only counts.
 *
 * (2) Memory and redraw cost with the buffer full: in a fresh `node --expose-gc` process, the same
 *     followPodLog reads the pod's log (its last 10,000 lines, as a tab opens) from the same host
 *     into a LogBuffer; heap used with the buffer held minus heap used once it is dropped (full
 *     GCs until steady, as bench/mapping.ts reads it), so the client and the code loaded are not
 *     counted; then `buffer.text()` timed at 10,000 lines (what each 150 ms redraw costs).
 *
 * Just this part: `npm run bench -- logs`.
 */
export interface PodLogsBench {
  /** Characters of each line's text (what a reader shows), and of the line in the file. */
  textChars: number;
  fileLineBytes: number;
  stepSeconds: number;
  steps: LogRateStep[];
  /** The highest rate with it and every slower step kept up; 0 when none. */
  extensionMaxRate: number;
  kubectlMaxRate: number;
  /** Each 150 ms redraw's buffer.text() while following (ms), and how many there were. */
  redrawsMs: number[];
  /** Notes followPodLog gave the tab (stream cut, reconnected). */
  extensionNotes: string[];
  /** When followPodLog opened each log stream, seconds after the first (more than one: it reconnected), and those that ended with an error before the bench stopped following. */
  extensionStreamOpens: number[];
  extensionStreamEnds: Array<{ afterSeconds: number; error: string }>;
  /** Lines received minus the last sequence number + 1 (0: nothing lost or repeated). */
  extensionMismatch: number;
  kubectlMismatch: number;
  kubectlStderr: string;
  memory: LogBufferMemory;
}

export interface LogRateStep {
  rate: number;
  lines: number;
  /** What the producer achieved: lines over the time from the step's start to its last write. */
  writtenRate: number;
  /** The producer's own worst lateness behind its schedule (ms). */
  producerLagMs: number;
  /** Body chunks ('data' events) of the extension's stream during the step, until the drain ended. */
  extensionChunks: number;
  /** Streams followPodLog opened again in that time (it reconnected). */
  extensionReconnects: number;
  /**
   * CPU used from the step's start to 2 s after its last write, in cores (CPU seconds / seconds):
   * this process (the extension's reader, the counting of kubectl's lines, and the producer's
   * thread), kubectl, and the host's kube-apiserver and kwok (serving both streams).
   */
  cpuCores: { bench: number; kubectl: number; apiserver: number; kwok: number };
  extension: ReaderStep;
  kubectl: ReaderStep;
}

export interface ReaderStep {
  received: number;
  linesPerSecond: number;
  keptUp: boolean;
  /** From the producer's last write to the step's last line received; undefined if never (within the drain bound). */
  lagMs: number | undefined;
  /** Worst time from a line being due to it being received, during the step. */
  maxLineLagMs: number;
}

export interface LogBufferMemory {
  lines: number;
  /** Heap held by the LogBuffer and what its lines keep alive: with it minus once it is dropped. */
  heapBytes: number;
  bytesPerLine: number;
  /** Heap grown by reading the tail into the buffer (the buffer and what the read left behind). */
  readGrowthBytes: number;
  /** Characters of the lines themselves (what one-byte strings need at the least). */
  lineChars: number;
  textMs: number[];
  textChars: number;
}

const NAMESPACE = 'bench-logs';
const POD = 'log-producer';
const CONTAINER = 'app';
const KWOK = '/apis/kwok.x-k8s.io/v1alpha1';
const DEFAULT_RATES = [1_000, 5_000, 20_000, 50_000];
const KEEP_UP_MS = 2_000;
const DRAIN_MS = 20_000;
const REDRAW_MS = 150;
const TEXT_CHARS = 120;
/** The text after the sequence number: a syncer-like line, cut to make ~120 characters in all. */
const LINE_SUFFIX = ' level=info component=syncer msg="synced pod" pod=team-a/web-7d9f8c6b5-x2k4j host=web-7d9f8c6b5-x2k4j-x-team-a-x-my-vc'.slice(0, TEXT_CHARS - 14);
const epochNow = () => performance.timeOrigin + performance.now();
const execFileAsync = promisify(execFile);

function lineText(seq: number): string {
  return `seq=${String(seq).padStart(10, '0')}${LINE_SUFFIX}`;
}

function seqOf(line: string | undefined): number | undefined {
  return line?.startsWith('seq=') ? Number(line.slice(4, 14)) : undefined;
}

/**
 * The producer, on its own thread so that writing does not take the extension reader's event loop.
 * On {firstSeq, rate, lines, startAt}: from startAt, appends every ~5 ms the lines due by then (one
 * write per batch), then answers with the time its last write returned. On 'ping': its clock.
 */
const PRODUCER = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, writeSync, closeSync } = require('node:fs');
const fd = openSync(workerData.file, 'a');
const now = () => performance.timeOrigin + performance.now();
parentPort.on('message', (step) => {
  if (step === 'close') { closeSync(fd); parentPort.close(); return; }
  if (step === 'ping') { parentPort.postMessage({ now: now() }); return; }
  const { firstSeq, rate, lines, startAt } = step;
  let written = 0;
  let worstLag = 0;
  let lastWriteAt = 0;
  const tick = () => {
    const at = now();
    const due = Math.min(lines, Math.floor(((at - startAt) / 1000) * rate));
    if (due > written) {
      worstLag = Math.max(worstLag, at - (startAt + ((written + 1) / rate) * 1000));
      const time = new Date().toISOString();
      let chunk = '';
      for (let seq = firstSeq + written; seq < firstSeq + due; seq++) chunk += time + ' stdout F seq=' + String(seq).padStart(10, '0') + workerData.suffix + '\\n';
      writeSync(fd, chunk);
      lastWriteAt = now();
      written = due;
    }
    if (written < lines) setTimeout(tick, Math.max(0, Math.min(5, startAt - now())));
    else parentPort.postMessage({ stoppedAt: lastWriteAt, worstLag });
  };
  setTimeout(tick, Math.max(0, startAt - now()));
});
`;

interface ProducerDone {
  stoppedAt: number;
  worstLag: number;
}

/**
 * The worker's clock minus this thread's (each thread's performance.timeOrigin is its own reading
 * of the wall clock, a millisecond or so apart): from the quickest of a few pings, while idle.
 */
async function producerClockOffset(worker: Worker): Promise<number> {
  let best = { roundTrip: Number.POSITIVE_INFINITY, offset: 0 };
  for (let ping = 0; ping < 7; ping++) {
    const sent = epochNow();
    const reply = await new Promise<{ now: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('bench: the producer thread did not answer a ping within 5 s')), 5_000);
      worker.once('message', (message: { now: number }) => {
        clearTimeout(timer);
        resolve(message);
      });
      worker.postMessage('ping');
    });
    const received = epochNow();
    if (received - sent < best.roundTrip) best = { roundTrip: received - sent, offset: reply.now - (sent + received) / 2 };
  }
  return best.offset;
}

/** Counts a reader's lines and tells when it has the step's last line. */
class LineCounter {
  count = 0;
  lastSeq = -1;
  reachedAt: number | undefined;
  maxLineLagMs = 0;
  private step: { firstSeq: number; lastSeq: number; rate: number; startAt: number } | undefined;

  expect(step: { firstSeq: number; lastSeq: number; rate: number; startAt: number }): void {
    this.step = step;
    this.reachedAt = this.lastSeq >= step.lastSeq ? epochNow() : undefined;
    this.maxLineLagMs = 0;
  }

  add(lines: number, lastLine: string | undefined): void {
    this.count += lines;
    const seq = seqOf(lastLine);
    if (seq === undefined) return;
    this.lastSeq = seq;
    const step = this.step;
    if (!step || seq < step.firstSeq) return;
    const at = epochNow();
    this.maxLineLagMs = Math.max(this.maxLineLagMs, at - (step.startAt + ((seq - step.firstSeq + 1) / step.rate) * 1000));
    if (this.reachedAt === undefined && seq >= step.lastSeq) this.reachedAt = at;
  }
}

/** CPU seconds a process has used (user + system), from /proc; 0 when it is gone. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, fields 14 and 15 of stat(5), in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function componentPid(cluster: string, component: string): number | undefined {
  const file = join(clusterDir(cluster), 'pids', `${component}.pid`);
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
}

async function until(condition: () => boolean, deadline: number): Promise<boolean> {
  while (!condition()) {
    if (epochNow() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/**
 * The host's client, counting the body chunks of the log streams it opens: kwok (as a kubelet)
 * writes and flushes each line by itself, and the API server passes that on, so the reader may get
 * a chunk, and a 'data' event, per line. Its listener is added before followPodLog's, in the same
 * microtask run, so the stream starts flowing only once both listen.
 */
class ChunkCountingClient extends KubeClient {
  chunks = 0;
  bytes = 0;
  /** When each log stream was opened, and how each ended (a reconnect shows as a second open). */
  opens: number[] = [];
  ends: Array<{ afterSeconds: number; error: string }> = [];

  override async openStream(...args: Parameters<KubeClient['openStream']>): Promise<IncomingMessage> {
    const response = await super.openStream(...args);
    const opened = epochNow();
    this.opens.push(opened);
    response.once('error', (error) => this.ends.push({ afterSeconds: (epochNow() - opened) / 1000, error: error.message }));
    response.on('data', (chunk: Buffer) => {
      this.chunks++;
      this.bytes += chunk.length;
    });
    return response;
  }
}

async function hostClient(kubeconfig: string): Promise<ChunkCountingClient> {
  const loaded = await loadKubeconfig([kubeconfig]);
  if (loaded.state !== 'ok' || !loaded.currentContext) throw new Error(`bench: cannot read the host kubeconfig ${kubeconfig}`);
  return new ChunkCountingClient(kubeConfigForContext(loaded.document, loaded.currentContext));
}

/** The namespace, the kwok Logs rule pointing at the file, and the pod, Running. */
async function createProducerPod(client: KubeClient, logFile: string): Promise<void> {
  const timeout = () => AbortSignal.timeout(15_000);
  await client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } } }, timeout());
  // As the node agent's rules (test/env/nodeAgent/agent.ts): every container's log is this file.
  await client.request('POST', `${KWOK}/namespaces/${NAMESPACE}/logs`, {
    body: { apiVersion: 'kwok.x-k8s.io/v1alpha1', kind: 'Logs', metadata: { name: POD, namespace: NAMESPACE }, spec: { logs: [{ containers: [], logsFile: logFile, follow: true }] } },
  }, timeout());
  await client.request('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, {
    body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: POD, namespace: NAMESPACE }, spec: { containers: [{ name: CONTAINER, image: 'registry.example/log-producer:1' }] } },
  }, timeout());
  const deadline = Date.now() + 60_000;
  for (;;) {
    const pod = await client.getJson<{ status?: { phase?: string } }>(`/api/v1/namespaces/${NAMESPACE}/pods/${POD}`, {}, timeout());
    if (pod.status?.phase === 'Running') return;
    if (Date.now() > deadline) throw new Error(`bench: pod ${NAMESPACE}/${POD} is ${pod.status?.phase ?? 'without a phase'} after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** kwok serves the file as the pod's log: `kubectl logs` prints its first line (bounded). */
async function waitForLogServed(kubectl: string, kubeconfig: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = '';
  for (;;) {
    try {
      const result = await runProcess(kubectl, ['--kubeconfig', kubeconfig, '--request-timeout', '10s', 'logs', '-n', NAMESPACE, POD, '-c', CONTAINER], { timeoutMs: 15_000 });
      if (result.stdout.startsWith(lineText(0))) return;
      last = result.stdout.slice(0, 200);
    } catch (error) {
      last = (error as Error).message.slice(0, 400);
    }
    if (Date.now() > deadline) throw new Error(`bench: kwok did not serve the log file as ${NAMESPACE}/${POD}'s log within 60 s: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** `kubectl logs -f`, its stdout lines counted as they come (only the last full line of each chunk is read). */
function followWithKubectl(kubectl: string, kubeconfig: string, counter: LineCounter, stderr: { text: string }): ChildProcess {
  const child = spawn(kubectl, ['--kubeconfig', kubeconfig, 'logs', '-f', '-n', NAMESPACE, POD, '-c', CONTAINER], { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
  let carry = Buffer.alloc(0);
  child.stdout!.on('data', (chunk: Buffer) => {
    let newlines = 0;
    let last = -1;
    for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, index + 1)) {
      newlines++;
      last = index;
    }
    if (newlines === 0) {
      carry = Buffer.concat([carry, chunk]);
      return;
    }
    const before = chunk.lastIndexOf(10, last - 1);
    const lastLine = before === -1 ? Buffer.concat([carry, chunk.subarray(0, last)]).toString('utf8') : chunk.subarray(before + 1, last).toString('utf8');
    carry = Buffer.from(chunk.subarray(last + 1));
    counter.add(newlines, lastLine);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.text.length < 4_000) stderr.text += chunk.toString('utf8');
  });
  return child;
}

function readerStep(counter: LineCounter, receivedByDeadline: number, startAt: number, deadline: number, stoppedAt: number, lines: number): ReaderStep {
  const keptUp = counter.reachedAt !== undefined && counter.reachedAt <= deadline;
  const received = Math.min(lines, receivedByDeadline);
  const end = keptUp ? counter.reachedAt! : deadline;
  return {
    received,
    linesPerSecond: received / ((end - startAt) / 1000),
    keptUp,
    lagMs: counter.reachedAt === undefined ? undefined : counter.reachedAt - stoppedAt,
    maxLineLagMs: counter.maxLineLagMs,
  };
}

function highestKeptUp(steps: readonly LogRateStep[], reader: 'extension' | 'kubectl'): number {
  let highest = 0;
  for (const step of [...steps].sort((a, b) => a.rate - b.rate)) {
    if (!step[reader].keptUp) break;
    highest = step.rate;
  }
  return highest;
}

export async function measurePodLogs(options: { rates?: number[]; stepSeconds?: number } = {}): Promise<PodLogsBench> {
  const rates = options.rates ?? DEFAULT_RATES;
  const stepSeconds = options.stepSeconds ?? 5;
  if (rates.some((rate) => !(rate > 0)) || !(stepSeconds > 0)) throw new Error('bench: log rates and step seconds must be positive numbers');
  const binaries = await ensureHostBinaries();
  const name = `bench-logs-${process.pid}`;
  const folder = mkdtempSync(join(tmpdir(), 'vcluster-bench-logs-'));
  // The only file in its folder: the log reader watches the folder (fsnotify) for writes.
  const logFile = join(folder, 'app.cri.log');
  const fileLine = (seq: number) => `${new Date().toISOString()} stdout F ${lineText(seq)}\n`;
  writeFileSync(logFile, fileLine(0));
  const following = new AbortController();
  let extensionReader: Promise<void> | undefined;
  let kubectlChild: ChildProcess | undefined;
  let producer: Worker | undefined;
  let redrawTimer: NodeJS.Timeout | undefined;
  try {
    const host = await upHostCluster(binaries, { name, nodes: 1, nodeAgent: false });
    const client = await hostClient(host.kubeconfig);
    await createProducerPod(client, logFile);
    await waitForLogServed(binaries.kubectl, host.kubeconfig);

    // (a) The log tab's path, without VS Code.
    const buffer = new LogBuffer();
    const notes: string[] = [];
    const extensionNotes: string[] = [];
    const redrawsMs: number[] = [];
    const extension = new LineCounter();
    const scheduleRedraw = () => {
      if (redrawTimer) return;
      redrawTimer = setTimeout(() => {
        redrawTimer = undefined;
        const started = performance.now();
        buffer.text(notes);
        redrawsMs.push(performance.now() - started);
      }, REDRAW_MS);
    };
    const target: PodLogTarget = { namespace: NAMESPACE, pod: POD, container: CONTAINER };
    let extensionError: Error | undefined;
    extensionReader = followPodLog(client, target, {
      lines: (lines) => {
        if (notes.length > 0) buffer.append(notes.splice(0));
        buffer.append(lines);
        extension.add(lines.length, lines.at(-1));
        scheduleRedraw();
      },
      note: (message) => {
        notes.push(message);
        extensionNotes.push(message);
        scheduleRedraw();
      },
    }, following.signal).catch((error: Error) => {
      extensionError = error;
    });
    // (b) kubectl logs -f on the same pod.
    const kubectl = new LineCounter();
    const kubectlStderr = { text: '' };
    kubectlChild = followWithKubectl(binaries.kubectl, host.kubeconfig, kubectl, kubectlStderr);
    let kubectlExit: string | undefined;
    kubectlChild.on('exit', (code, signal) => {
      kubectlExit = `exit ${code ?? signal}`;
    });
    if (!await until(() => (extension.lastSeq >= 0 && kubectl.lastSeq >= 0) || extensionError !== undefined || kubectlExit !== undefined, epochNow() + 30_000)
      || extension.lastSeq < 0 || kubectl.lastSeq < 0) {
      throw new Error(`bench: the readers did not both get the log's first line within 30 s (extension ${extension.lastSeq >= 0 ? 'did' : `did not${extensionError ? `: ${extensionError.message}` : ''}`}; kubectl ${kubectl.lastSeq >= 0 ? 'did' : `did not (${kubectlExit ?? 'running'}): ${kubectlStderr.text}`})`);
    }

    producer = new Worker(PRODUCER, { eval: true, workerData: { file: logFile, suffix: LINE_SUFFIX } });
    const worker = producer;
    const clockOffset = await producerClockOffset(worker);
    const apiserverPid = componentPid(name, 'kube-apiserver');
    const kwokPid = componentPid(name, 'kwok-controller');
    const steps: LogRateStep[] = [];
    let nextSeq = 1;
    for (const rate of rates) {
      const lines = Math.round(rate * stepSeconds);
      const firstSeq = nextSeq;
      const lastSeq = firstSeq + lines - 1;
      const startAt = epochNow() + 50;
      const step = { firstSeq, lastSeq, rate, startAt };
      extension.expect(step);
      kubectl.expect(step);
      const extensionBefore = extension.count;
      const chunksBefore = client.chunks;
      const opensBefore = client.opens.length;
      const cpu = () => {
        const own = process.cpuUsage();
        return { at: epochNow(), bench: (own.user + own.system) / 1e6, kubectl: cpuSeconds(kubectlChild?.pid), apiserver: cpuSeconds(apiserverPid), kwok: cpuSeconds(kwokPid) };
      };
      const cpuBefore = cpu();
      const kubectlBefore = kubectl.count;
      const done = await new Promise<ProducerDone>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`bench: the producer did not write ${lines} lines within ${stepSeconds + 30} s`)), (stepSeconds + 30) * 1000);
        worker.once('message', (message: ProducerDone) => {
          clearTimeout(timer);
          resolve({ ...message, stoppedAt: message.stoppedAt - clockOffset });
        });
        worker.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        worker.postMessage({ firstSeq, rate, lines, startAt: startAt + clockOffset });
      });
      const deadline = done.stoppedAt + KEEP_UP_MS;
      const both = () => extension.reachedAt !== undefined && kubectl.reachedAt !== undefined;
      await until(both, deadline);
      const cpuAfter = cpu();
      const cores = (key: 'bench' | 'kubectl' | 'apiserver' | 'kwok') => (cpuAfter[key] - cpuBefore[key]) / ((cpuAfter.at - cpuBefore.at) / 1000);
      // Counted at the deadline (or when both had everything, which is all the step's lines).
      const extensionReceived = extension.count - extensionBefore;
      const kubectlReceived = kubectl.count - kubectlBefore;
      await until(both, deadline + DRAIN_MS);
      steps.push({
        rate,
        lines,
        writtenRate: lines / ((done.stoppedAt - startAt) / 1000),
        producerLagMs: done.worstLag,
        extensionChunks: client.chunks - chunksBefore,
        extensionReconnects: client.opens.length - opensBefore,
        cpuCores: { bench: cores('bench'), kubectl: cores('kubectl'), apiserver: cores('apiserver'), kwok: cores('kwok') },
        extension: readerStep(extension, extensionReceived, startAt, deadline, done.stoppedAt, lines),
        kubectl: readerStep(kubectl, kubectlReceived, startAt, deadline, done.stoppedAt, lines),
      });
      nextSeq = lastSeq + 1;
      if (extensionError || kubectlExit) break;
    }
    if (extensionError) extensionNotes.push(`followPodLog failed: ${(extensionError as Error).message}`);
    if (kubectlExit) kubectlStderr.text += `\n(kubectl logs -f ended early: ${kubectlExit})`;

    // Stop following before the memory figure, so the host is quiet while it is read.
    const streamEnds = [...client.ends];
    following.abort();
    kubectlChild.kill('SIGTERM');
    await Promise.race([extensionReader, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    clearTimeout(redrawTimer);
    const memory = await measureMemoryInChild(host.kubeconfig, nextSeq - 1);

    return {
      textChars: lineText(0).length,
      fileLineBytes: Buffer.byteLength(fileLine(0)),
      stepSeconds,
      steps,
      extensionMaxRate: highestKeptUp(steps, 'extension'),
      kubectlMaxRate: highestKeptUp(steps, 'kubectl'),
      redrawsMs,
      extensionNotes,
      extensionStreamOpens: client.opens.map((at) => (at - client.opens[0]!) / 1000),
      extensionStreamEnds: streamEnds,
      extensionMismatch: extension.count - (extension.lastSeq + 1),
      kubectlMismatch: kubectl.count - (kubectl.lastSeq + 1),
      kubectlStderr: kubectlStderr.text.trim(),
      memory,
    };
  } finally {
    following.abort();
    clearTimeout(redrawTimer);
    if (kubectlChild && kubectlChild.exitCode === null && kubectlChild.signalCode === null) kubectlChild.kill('SIGKILL');
    if (extensionReader) await Promise.race([extensionReader, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (producer) {
      // Its file descriptor closed by the worker itself; terminate() if it does not end at once.
      const exited = new Promise((resolve) => producer!.once('exit', resolve));
      producer.postMessage('close');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      await producer.terminate().catch(() => undefined);
    }
    await downHostCluster(name, binaries);
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Runs (2) in a fresh `node --expose-gc` process (this one has no gc()). */
async function measureMemoryInChild(kubeconfig: string, lastSeq: number): Promise<LogBufferMemory> {
  const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', '--no-flush-bytecode', '--import', 'tsx', __filename, '--memory-child', kubeconfig, String(lastSeq)], {
    cwd: join(__dirname, '..'), encoding: 'utf8', timeout: 180_000, maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as LogBufferMemory;
}

/** Reads the log's tail as a tab opens it into `buffer`, until the line `lastSeq` is there (bounded). */
async function readTail(client: KubeClient, holder: { buffer?: LogBuffer }, lastSeq: number): Promise<void> {
  const done = new AbortController();
  const bound = AbortSignal.timeout(60_000);
  await followPodLog(client, { namespace: NAMESPACE, pod: POD, container: CONTAINER }, {
    lines: (lines) => {
      holder.buffer?.append(lines);
      if (seqOf(lines.at(-1)) === lastSeq) done.abort();
    },
    note: () => undefined,
  }, AbortSignal.any([done.signal, bound]));
  if (!done.signal.aborted) throw new Error(`bench: the tab's reader did not get line ${lastSeq} within 60 s (${holder.buffer?.lineCount} lines)`);
}

async function memoryChild(kubeconfig: string, lastSeq: number): Promise<LogBufferMemory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('bench: the log buffer memory needs node --expose-gc');
  const heap = () => {
    let previous = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 10; round++) {
      gc();
      const used = process.memoryUsage().heapUsed;
      if (previous - used < 16 * 1024) return used;
      previous = used;
    }
    return previous;
  };
  const client = await hostClient(kubeconfig);
  // Once untimed and unmeasured: the code compiled, the connection's TLS set up.
  await readTail(client, { buffer: new LogBuffer() }, lastSeq);
  // Reached only through the holder: whatever keeps followPodLog's closures (a socket the agent
  // keeps) cannot keep the buffer once it is dropped.
  const holder: { buffer?: LogBuffer } = { buffer: new LogBuffer() };
  const before = heap();
  await readTail(client, holder, lastSeq);
  const withBuffer = heap();
  let buffer: LogBuffer | undefined = holder.buffer!;
  const lines = buffer.lineCount;
  if (lines !== MAX_LOG_LINES) throw new Error(`bench: the buffer holds ${lines} lines, not ${MAX_LOG_LINES}`);
  const textMs: number[] = [];
  let textChars = 0;
  for (let run = 0; run < 25; run++) {
    const started = performance.now();
    textChars = buffer.text().length;
    if (run >= 4) textMs.push(performance.now() - started);
  }
  buffer = undefined;
  holder.buffer = undefined;
  const withoutBuffer = heap();
  const heapBytes = withBuffer - withoutBuffer;
  return { lines, heapBytes, bytesPerLine: heapBytes / lines, readGrowthBytes: withBuffer - before, lineChars: lines * lineText(0).length, textMs, textChars };
}

if (require.main === module && process.argv[2] === '--memory-child') {
  memoryChild(process.argv[3]!, Number(process.argv[4])).then(
    (result) => console.log(JSON.stringify(result)),
    (error: Error) => {
      console.error(error.stack ?? error.message);
      process.exit(1);
    },
  );
}
