import { spawn } from 'node:child_process';

/**
 * Runs external programs (vcluster, helm, kubectl, kind) the only safe way: an argument array,
 * no shell, a bounded time, cancellation, and output streamed line by line to whoever listens.
 */

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the process after this long; every wait is bounded. */
  timeoutMs: number;
  /** Abort to cancel (the process gets SIGTERM, then SIGKILL after a grace period). */
  signal?: AbortSignal;
  /** Called with each complete line of stdout and stderr, in order of arrival. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Written to stdin and then closed; stdin is closed at once when absent. */
  input?: string;
}

export interface RunResult {
  /** -1 when the process was ended by a signal. */
  exitCode: number;
  /** The signal that ended it (SIGKILL from the OOM killer or a user), when one did. */
  signal?: string;
  stdout: string;
  stderr: string;
}

export class ProcessError extends Error {
  constructor(
    message: string,
    readonly command: string,
    readonly args: readonly string[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The program is not installed, or not where the settings say. */
export class ProgramNotFoundError extends ProcessError {}
export class ProcessTimeoutError extends ProcessError {}
export class ProcessCancelledError extends ProcessError {}
/** The program ran and exited non-zero; its stderr is kept to show the user. */
export class ProcessFailedError extends ProcessError {
  constructor(
    message: string,
    command: string,
    args: readonly string[],
    readonly result: RunResult,
  ) {
    super(message, command, args);
  }
}

const KILL_GRACE_MS = 3000;
/** Enough output to explain a failure without holding a chatty program's whole log in memory. */
const MAX_CAPTURE_BYTES = 4 * 1024 * 1024;

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

export function describeCommand(command: string, args: readonly string[]): string {
  return [command, ...args].map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : JSON.stringify(part))).join(' ');
}

export function runProcess(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const described = describeCommand(command, args);
    if (options.signal?.aborted) {
      reject(new ProcessCancelledError(`cancelled before start: ${described}`, command, args));
      return;
    }
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const captured = { stdout: '', stderr: '' };
    const partial = { stdout: '', stderr: '' };
    let settled = false;
    let stopReason: 'timeout' | 'cancelled' | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const stop = (reason: 'timeout' | 'cancelled') => {
      if (stopReason) return;
      stopReason = reason;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    const timeout = setTimeout(() => stop('timeout'), options.timeoutMs);
    const onAbort = () => stop('cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const cleanup = () => {
      clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
    };

    // One decoder per stream: a chunk may end inside a multi-byte character (kind prints emoji),
    // which must be completed by the next chunk, not turned into replacement characters.
    const decoders = { stdout: new TextDecoder('utf-8'), stderr: new TextDecoder('utf-8') };
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const text = decoders[stream].decode(chunk, { stream: true });
      if (captured[stream].length < MAX_CAPTURE_BYTES) captured[stream] += text;
      if (!options.onLine) return;
      const lines = (partial[stream] + text).split(/\r?\n/);
      partial[stream] = lines.pop() ?? '';
      for (const line of lines) options.onLine(line, stream);
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      cleanup();
      if (error.code === 'ENOENT') {
        reject(new ProgramNotFoundError(`${command} was not found (is it installed and on PATH?)`, command, args));
      } else if (error.code === 'EACCES') {
        reject(new ProgramNotFoundError(`${command} is not executable (check its permissions)`, command, args));
      } else {
        reject(new ProcessError(`${described} could not start: ${error.message}`, command, args));
      }
    });

    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      cleanup();
      for (const stream of ['stdout', 'stderr'] as const) {
        const rest = decoders[stream].decode();
        if (captured[stream].length < MAX_CAPTURE_BYTES) captured[stream] += rest;
        partial[stream] += rest;
        if (partial[stream] && options.onLine) options.onLine(partial[stream], stream);
      }
      const result: RunResult = { exitCode: code ?? -1, ...(signal ? { signal } : {}), stdout: captured.stdout, stderr: captured.stderr };
      if (stopReason === 'timeout') {
        reject(new ProcessTimeoutError(`${described} did not finish within ${Math.round(options.timeoutMs / 1000)} s and was stopped`, command, args));
      } else if (stopReason === 'cancelled') {
        reject(new ProcessCancelledError(`${described} was cancelled`, command, args));
      } else if (code !== 0) {
        const detail = lastLines(captured.stderr || captured.stdout, 20);
        const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
        reject(new ProcessFailedError(`${described} ${how}${detail ? `:\n${detail}` : ''}`, command, args, result));
      } else {
        resolve(result);
      }
    });

    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}
