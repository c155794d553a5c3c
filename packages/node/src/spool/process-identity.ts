import { readFileSync } from 'node:fs';

/**
 * What names a process in a lock file: its pid and, where `/proc` tells it (Linux), its start
 * time in clock ticks since boot, so that a pid reused by another process (a restarted container
 * often gets the pid its predecessor had) is not mistaken for the lock's holder.
 */
export interface ProcessIdentity {
  readonly pid: number;
  /** `/proc/<pid>/stat` field 22, or undefined where that file cannot be read. */
  readonly start: string | undefined;
}

/** The start time of `pid` from `/proc/<pid>/stat`, or undefined off Linux or when it is gone. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[19];
    return start !== undefined && /^\d+$/.test(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

/** This process, as a lock names it. */
export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, start: processStart(process.pid) };
}

/** True while the process a lock names runs (the same pid and, where known, the same start). */
export function isRunning(holder: ProcessIdentity): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (holder.start === undefined) return true;
  const start = processStart(holder.pid);
  return start === undefined || start === holder.start;
}
