// Finding and judging local processes by /proc, for the clean-up of clusters and agents.
import { readdirSync, readFileSync } from 'node:fs';

/** Pids of the processes whose command line (argv, split) matches: a scan of /proc. */
export function findProcesses(match: (argv: string[], pid: number) => boolean): number[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number).filter((pid) => {
    try {
      return match(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'), pid);
    } catch {
      return false;
    }
  });
}

/** Running and not a zombie: where PID 1 does not reap, a killed component lingers as one. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}


/** A pid from a pid file, or undefined when the file is missing or holds no plausible pid. */
export function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A process's resident memory in MiB (0 when it is gone). */
export function residentMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}
