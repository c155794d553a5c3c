import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { KmSpoolError } from './spool-error.js';

// Directories this process holds, so a lock naming our own pid can be told apart from a stale one
// left by an earlier container whose process had the same pid (pid 1 in Docker).
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the spool's pid lock, or throws `spool_locked` when a live process holds it. A lock left
 * by a dead process (a crash, `kill -9`) is taken over: that is how a restart recovers its spool.
 * Returns the function that releases it.
 */
export function acquireSpoolLock(dir: string, path: string): () => void {
  if (heldHere.has(dir)) {
    throw new KmSpoolError(
      'spool_locked',
      'spool.dir',
      `another client in this process already uses the spool "${dir}": share one client, or give each its own spool.dir`,
    );
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new KmSpoolError(
          'spool_unavailable',
          'spool.dir',
          `cannot create the lock file ${path}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const pid = readPid(path);
      if (pid !== undefined && pid !== process.pid && isAlive(pid)) {
        throw new KmSpoolError(
          'spool_locked',
          'spool.dir',
          `the spool "${dir}" is in use by process ${pid}: give each process its own spool.dir (two writers would send every event twice)`,
        );
      }
      // Stale: its process is gone (or it is our own pid from an earlier life), so take it over.
      try {
        unlinkSync(path);
      } catch {
        // Someone else removed it first; try again.
      }
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    heldHere.add(dir);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      heldHere.delete(dir);
      try {
        if (readPid(path) === process.pid) unlinkSync(path);
      } catch {
        // Already gone: nothing to release.
      }
    };
  }
  throw new KmSpoolError(
    'spool_locked',
    'spool.dir',
    `could not take the lock ${path}: another process keeps taking it`,
  );
}
