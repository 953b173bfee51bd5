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

