import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./spool-writer.ts', import.meta.url));

/** The crash flow's child process, as its parent sees it. */
export interface SpoolWriter {
  readonly pid: number | undefined;
  /** The count of track() calls the child last reported as returned. */
  tracked(): number;
  /** What the child printed that is not a count (a refusal), and its stderr. */
  complaints(): string;
  /** Resolves with the exit code, or the signal that ended it. */
  readonly exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts `spool-writer.ts` in a new Node process (from source, like `pnpm playground`). */
export function spawnSpoolWriter(dir: string, endpoint: string, start: number): SpoolWriter {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@kmkit/source', '--import', 'tsx', SCRIPT, dir, endpoint, String(start)],
    { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let tracked = 0;
  let complaints = '';
  let pending = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (/^\d+$/.test(line)) tracked = Number(line);
      else complaints += `${line}\n`;
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    complaints += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? String(signal)));
  });
  return {
    pid: child.pid,
    tracked: () => tracked,
    complaints: () => complaints,
    exited,
    kill: (signal) => child.kill(signal),
  };
}
