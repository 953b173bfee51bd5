// A small supervisor that keeps one local process running the way kubelet keeps a container
// running: it starts the process in a process group of its own, and when it exits, kills whatever
// it left in that group (the syncer leaves kube-apiserver, kine and the controller-manager behind,
// holding its fixed ports), keeps the log of that run as the "previous" log, waits the kubelet's
// back-off and starts it again. It runs detached, so `cluster:up` can leave a vCluster running.
//
//   node --import tsx test/env/supervisor.ts SPEC.json
//
// Files in the spec's folder: process.pid (the current run's process group), supervisor.pid,
// state.json (see SupervisedState), current.log and previous.log (each run's output).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, readPid } from './processes';
import { nextRestartDelay } from './restartPolicy';

export interface SupervisorSpec {
  /** Folder for the pid files, state and logs. */
  dir: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface SupervisedExit {
  code: number | null;
  signal: string | null;
  at: string;
  ranMs: number;
}

export interface SupervisedState {
  state: 'running' | 'waiting' | 'stopped';
  supervisorPid: number;
  /** Process group of the current run (its leader's pid); 0 while waiting. */
  pid: number;
  startedAt?: string;
  /** Runs started after the first. */
  restarts: number;
  lastExit?: SupervisedExit;
  /** When the next run starts, while waiting. */
  nextStartAt?: string;
}

export const supervisorFiles = (dir: string) => ({
  spec: join(dir, 'supervisor.json'),
  state: join(dir, 'state.json'),
  supervisorPid: join(dir, 'supervisor.pid'),
  pid: join(dir, 'process.pid'),
  log: join(dir, 'current.log'),
  previousLog: join(dir, 'previous.log'),
  /** The same output in the CRI log format (`<time> stdout F <line>`), which kwok's `kubectl logs` reads. */
  criLog: join(dir, 'current.cri.log'),
  previousCriLog: join(dir, 'previous.cri.log'),
});

/**
 * Copies a run's output to its plain log and, line by line, to its CRI-format log (what kubelet
 * writes under /var/log/pods, and what kwok serves for `kubectl logs`).
 */
function teeOutput(stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr', plain: number, cri: number): void {
  let partial = '';
  // Output that arrives after the run's files were closed (bounded wait below) is dropped.
  const write = (fd: number, data: string | Buffer) => {
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    } catch {
      // closed
    }
  };
  stream.on('data', (chunk: Buffer) => {
    write(plain, chunk);
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) write(cri, `${new Date().toISOString()} ${name} F ${line}\n`);
  });
  stream.on('end', () => {
    if (partial) write(cri, `${new Date().toISOString()} ${name} F ${partial}\n`);
  });
}

/** The supervisor's last written state, or undefined before it wrote one (or if it is damaged). */
export function readSupervisedState(dir: string): SupervisedState | undefined {
  try {
    return JSON.parse(readFileSync(supervisorFiles(dir).state, 'utf8')) as SupervisedState;
  } catch {
    return undefined;
  }
}

function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/** A process's state letter from its /proc stat file ("R", "S", "Z"…), or undefined when it is gone. */
function stateOf(statFile: string): { state: string; group: number } | undefined {
  try {
    const fields = readFileSync(statFile, 'utf8').split(') ').pop()!.split(' ');
    // Fields 3 and 5 of /proc/PID/stat: the state and the process group.
    return { state: fields[0]!, group: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/**
 * Whether any thread of a process still runs. A killed multi-threaded process (kube-apiserver)
 * shows its main thread as a zombie while its other threads are still exiting, and holds its
 * sockets until the last one is done.
 */
function anyThreadRunning(pid: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).some((task) => {
      const state = stateOf(`/proc/${pid}/task/${task}/stat`)?.state;
      return state !== undefined && state !== 'Z' && state !== 'X';
    });
  } catch {
    return false;
  }
}

/**
 * Live members of a process group: a member counts until every one of its threads has exited.
 * Zombies do not count: where PID 1 does not reap, a killed process lingers as one, holding nothing.
 */
export function liveGroupMembers(group: number): number[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).filter((entry) => {
    const member = stateOf(`/proc/${entry}/stat`);
    return member?.group === group && (member.state !== 'Z' || anyThreadRunning(entry));
  }).map(Number);
}

async function waitForGroupGone(group: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (liveGroupMembers(group).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

async function supervise(spec: SupervisorSpec): Promise<void> {
  const files = supervisorFiles(spec.dir);
  let stopping = false;
  let currentPid = 0;
  let wake: (() => void) | undefined;
  let state: SupervisedState = { state: 'waiting', supervisorPid: process.pid, pid: 0, restarts: 0 };
  const save = (next: SupervisedState) => {
    state = next;
    writeAtomically(files.state, `${JSON.stringify(state, null, 2)}\n`);
  };
  const stop = () => {
    if (stopping) return;
    stopping = true;
    wake?.();
    if (currentPid > 0) {
      killGroup(currentPid, 'SIGTERM');
      // Whatever ignores SIGTERM goes 5 s later; the exit below follows the run's own exit.
      setTimeout(() => killGroup(currentPid, 'SIGKILL'), 5_000).unref();
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  writeAtomically(files.supervisorPid, `${process.pid}\n`);

  let delay: number | undefined;
  while (!stopping) {
    if (state.lastExit && existsSync(files.log)) renameSync(files.log, files.previousLog);
    if (state.lastExit && existsSync(files.criLog)) renameSync(files.criLog, files.previousCriLog);
    const log = openSync(files.log, 'a');
    const criLog = openSync(files.criLog, 'a');
    const started = Date.now();
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    teeOutput(child.stdout, 'stdout', log, criLog);
    teeOutput(child.stderr, 'stderr', log, criLog);
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      child.once('error', () => resolve({ code: 127, signal: null }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    // 'close' comes once the output is read to its end (what the run's group inherited included).
    const outputClosed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    currentPid = child.pid ?? 0;
    if (currentPid > 0) {
      writeAtomically(files.pid, `${currentPid}\n`);
      save({ ...state, state: 'running', pid: currentPid, startedAt: new Date(started).toISOString(), nextStartAt: undefined });
    }
    const { code, signal } = await exited;
    // A pod's containers die with it: what the run left in its group goes too, before anything
    // else happens (a restart needs its ports free).
    if (currentPid > 0 && killGroup(currentPid, 'SIGKILL')) await waitForGroupGone(currentPid, 10_000);
    await Promise.race([outputClosed, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    closeSync(log);
    closeSync(criLog);
    currentPid = 0;
    const ranMs = Date.now() - started;
    const lastExit: SupervisedExit = { code, signal, at: new Date().toISOString(), ranMs };
    if (stopping) {
      save({ ...state, state: 'stopped', pid: 0, lastExit });
      break;
    }
    delay = nextRestartDelay(delay, ranMs);
    save({ ...state, state: 'waiting', pid: 0, lastExit, nextStartAt: new Date(Date.now() + delay).toISOString() });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delay);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = undefined;
    if (!stopping) state = { ...state, restarts: state.restarts + 1 };
  }
  if (state.state !== 'stopped') save({ ...state, state: 'stopped', pid: 0, nextStartAt: undefined });
  process.exit(0);
}

/**
 * Starts a detached supervisor for `spec` (its folder must exist) and returns once it has started
 * the first run. The supervisor outlives this process unless the caller kills it.
 */
export async function startSupervised(spec: SupervisorSpec): Promise<{ supervisorPid: number }> {
  const files = supervisorFiles(spec.dir);
  writeFileSync(files.spec, JSON.stringify(spec), { mode: 0o600 });
  const root = join(__dirname, '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'supervisor.ts'), files.spec], {
    cwd: root, detached: true, stdio: 'ignore',
  });
  child.unref();
  const supervisorPid = child.pid!;
  const deadline = Date.now() + 20_000;
  while (readSupervisedState(spec.dir) === undefined) {
    if (!isAlive(supervisorPid) || Date.now() > deadline) {
      killGroup(supervisorPid, 'SIGKILL');
      throw new Error(`The supervisor for ${spec.command} did not start (folder ${spec.dir}).`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { supervisorPid };
}

/** The current run's process group, as the supervisor last wrote it. */
export function supervisedPid(dir: string): number | undefined {
  return readPid(supervisorFiles(dir).pid);
}

/**
 * Stops the supervisor and its run (SIGTERM, then SIGKILL after 5 s), also when the supervisor
 * itself was killed and left its run behind. Safe when nothing runs.
 */
export async function stopSupervised(dir: string): Promise<void> {
  const files = supervisorFiles(dir);
  const supervisor = readPid(files.supervisorPid);
  if (supervisor && isAlive(supervisor)) {
    process.kill(supervisor, 'SIGTERM');
    const deadline = Date.now() + 8_000;
    while (isAlive(supervisor) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const run = readPid(files.pid);
  if (run) {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      if (liveGroupMembers(run).length === 0 || !killGroup(run, signal)) break;
      await waitForGroupGone(run, 5_000);
    }
  }
  if (supervisor) killGroup(supervisor, 'SIGKILL');
}

/** The synchronous form, for process 'exit' handlers: SIGKILL to the supervisor and its run. */
export function killSupervisedNow(dir: string): void {
  const files = supervisorFiles(dir);
  for (const pid of [readPid(files.supervisorPid), readPid(files.pid)]) {
    if (pid) killGroup(pid, 'SIGKILL');
  }
}

if (process.argv[1] && /supervisor\.ts$/.test(process.argv[1])) {
  const specFile = process.argv[2];
  if (!specFile) {
    console.error('usage: node --import tsx test/env/supervisor.ts SPEC.json');
    process.exit(2);
  }
  void supervise(JSON.parse(readFileSync(specFile, 'utf8')) as SupervisorSpec);
}
