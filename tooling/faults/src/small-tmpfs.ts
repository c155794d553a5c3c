import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real, small filesystem (Linux tmpfs) that a test can fill up and then enlarge. */
export interface SmallTmpfs {
  readonly dir: string;
  /** Makes it larger (or smaller), keeping its files: a bigger disk under the same spool. */
  resize(size: string): void;
  unmount(): void;
}

/**
 * Mounts a tmpfs of `size` (e.g. `64k`) on a new directory, or says why it cannot (not root, no
 * `mount`, a container without CAP_SYS_ADMIN), so the test can skip with that reason.
 */
export function mountSmallTmpfs(size: string): SmallTmpfs | { readonly refused: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kmkit-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    return { refused: stderr || (error as Error).message };
  }
  let mounted = true;
  return {
    dir,
    resize(next) {
      execFileSync('mount', ['-o', `remount,size=${next}`, dir], { stdio: 'pipe' });
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      execFileSync('umount', [dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
