import { randomBytes } from 'node:crypto';
import {
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { currentProcess, isRunning, type ProcessIdentity } from './process-identity.js';
import { KmSpoolError } from './spool-error.js';

/**
 * The spool's lock, a folder of numbered files `lock/<generation>`, each naming the process that
 * created it. The highest generation is the lock; its holder is whoever created it, while that
 * process runs.
 *
 * - Taking it: read the highest generation; if its process runs, refuse; else create the next
 *   generation with `link()` (atomic, fails when the name exists, and the file is whole when it
 *   appears), then list again: if a higher generation appeared meanwhile, give way. Two processes
 *   can never both hold it: the highest file is never removed (only lower ones are, by the winner),
 *   so a later contender always sees a running holder at or above the one that won.
 * - Releasing it: the file says `released`; it stays, so generations never go back.
 */
export interface SpoolLock {
  /** The generation this process holds. */
  readonly generation: number;
  /** True while the lock is still ours: our file is the highest and still names us. */
  held(): boolean;
  /** Gives the lock up (idempotent). */
  release(): void;
}

const LOCK_DIR = 'lock';
const RELEASED = 'released\n';
// Each round loses only to a process that took or changed the lock meanwhile: a few suffice.
const ROUNDS = 50;

// Directories (by real path) this process holds: a lock naming our own pid is stale unless here.
const heldHere = new Set<string>();

function lockContent(holder: ProcessIdentity): string {
  return `${holder.pid} ${holder.start ?? '-'}\n`;
}

/** The holder a lock file names; undefined for a released or unreadable one (free). */
function readHolder(path: string): ProcessIdentity | undefined | 'gone' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  const match = /^(\d+) (\d+|-)\n$/.exec(text);
  if (!match) return undefined;
  return { pid: Number(match[1]), start: match[2] === '-' ? undefined : match[2] };
}

/** Generations present, highest first. */
function generations(lockDir: string): number[] {
  return readdirSync(lockDir)
    .filter((name) => /^\d{1,15}$/.test(name))
    .map(Number)
    .sort((a, b) => b - a);
}

/** True when the process a lock file names still runs and is not an earlier life of this one. */
function holds(holder: ProcessIdentity, self: ProcessIdentity): boolean {
  // Our pid with our start time: another thread of this process (a Worker) holds it. Our pid
  // without it: an earlier process that had our pid (a restarted container's pid 1), so stale.
  if (holder.pid === self.pid) return holder.start !== undefined && holder.start === self.start;
  return isRunning(holder);
}

function locked(dir: string, holder: ProcessIdentity): KmSpoolError {
  return new KmSpoolError(
    'spool_locked',
    'spool.dir',
    `the spool "${dir}" is in use by process ${holder.pid}: give each process its own spool.dir (two writers would send every event twice)`,
  );
}

function unavailable(dir: string, error: unknown): KmSpoolError {
  return new KmSpoolError(
    'spool_unavailable',
    'spool.dir',
    `cannot take the lock of the spool "${dir}": ${(error as Error).message}`,
    { cause: error },
  );
}

function removeQuietly(path: string) {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/**
 * Takes the lock of the spool in `dir` (which exists), or throws `spool_locked` when a running
 * process holds it. A lock whose process is gone (a crash, `kill -9`) is taken over: that is how a
 * restart recovers its spool.
 */
export function acquireSpoolLock(dir: string): SpoolLock {
  let key: string;
  try {
    key = realpathSync(dir);
  } catch (error) {
    throw unavailable(dir, error);
  }
  if (heldHere.has(key)) {
    throw new KmSpoolError(
      'spool_locked',
      'spool.dir',
      `another client in this process already uses the spool "${dir}": share one client, or give each its own spool.dir`,
    );
  }
  const lockDir = join(dir, LOCK_DIR);
  const self = currentProcess();
  const content = lockContent(self);
  const draft = join(lockDir, `.new-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(draft, content);
  } catch (error) {
    throw unavailable(dir, error);
  }
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const top = generations(lockDir)[0] ?? 0;
      if (top > 0) {
        const holder = readHolder(join(lockDir, String(top)));
        // Removed as a lower generation meanwhile: a higher one exists now.
        if (holder === 'gone') continue;
        if (holder && holds(holder, self)) throw locked(dir, holder);
      }
      const mine = top + 1;
      const path = join(lockDir, String(mine));
      try {
        linkSync(draft, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      // Verify before touching the journal: someone who read an older generation may have gone
      // higher meanwhile; then they win and we give way.
      if ((generations(lockDir)[0] ?? 0) !== mine) {
        removeQuietly(path);
        continue;
      }
      for (const lower of generations(lockDir)) {
        if (lower < mine) removeQuietly(join(lockDir, String(lower)));
      }
      heldHere.add(key);
      return createHeldLock(lockDir, path, mine, content, key);
    }
  } catch (error) {
    if (KmSpoolError.isInstance(error)) throw error;
    throw unavailable(dir, error);
  } finally {
    removeQuietly(draft);
  }
  throw new KmSpoolError(
    'spool_locked',
    'spool.dir',
    `could not take the lock of the spool "${dir}": other processes keep taking it`,
  );
}

function createHeldLock(
  lockDir: string,
  path: string,
  generation: number,
  content: string,
  key: string,
): SpoolLock {
  let released = false;
  const held = () => {
    if (released) return false;
    try {
      return generations(lockDir)[0] === generation && readFileSync(path, 'utf8') === content;
    } catch {
      return false;
    }
  };
  return {
    generation,
    held,
    release() {
      if (released) return;
      const ours = held();
      released = true;
      heldHere.delete(key);
      if (!ours) return;
      try {
        writeFileSync(path, RELEASED);
      } catch {
        // The holder's pid is gone once this process ends: stale, and taken over the same way.
      }
    },
  };
}
