// Small, dependency-free helpers to run a program (argument arrays, never a shell) and to look
// one up on PATH.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The absolute path of `command` on PATH, or undefined. */
export function which(command, path = process.env.PATH ?? '') {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Runs a program to its end, bounded by `timeoutMs`; keeps the last 64 KB of its output for the
 * error message. Resolves with { code, output } (code 'missing' when it is not installed,
 * 'timeout' when it was killed, 'aborted' when `signal` aborted it).
 */
export function runProgram(command, args, { cwd, env, timeoutMs = 20 * 60_000, onOutput, signal } = {}) {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve({ code: 'aborted', output: '' });
      return;
    }
    let output = '';
    let child;
    try {
      child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch {
      resolve({ code: 'missing', output: '' });
      return;
    }
    const keep = (chunk) => {
      const text = chunk.toString();
      output = (output + text).slice(-65_536);
      onOutput?.(text);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: 'timeout', output });
    }, timeoutMs);
    // Another step failed: this one stops too instead of running on unseen.
    const abort = () => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      resolve({ code: 'aborted', output });
    };
    signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (error) => {
      signal?.removeEventListener('abort', abort);
      clearTimeout(timer);
      resolve({ code: error.code === 'ENOENT' ? 'missing' : 1, output: `${output}${error.message}` });
    });
    child.on('close', (code) => {
      signal?.removeEventListener('abort', abort);
      clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
  });
}

/** The last lines of a program's output, indented, for an error message. */
export function tailLines(text, lines = 20) {
  return text.trimEnd().split('\n').slice(-lines).map((line) => `    ${line}`).join('\n');
}
