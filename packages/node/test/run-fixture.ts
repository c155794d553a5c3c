import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs `test/fixtures/<name>.ts` in a new Node process, from source, like a user's script. */
export function spawnFixture(name: string, args: readonly string[]): ChildProcess {
  return spawn(
    process.execPath,
    ['--conditions=@kmkit/source', '--import', 'tsx', `test/fixtures/${name}.ts`, ...args],
    { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/** Resolves with the exit code, or with `'still running'` if it has not exited by `limitMs`. */
export function exitOf(child: ChildProcess, limitMs: number): Promise<number | string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('still running');
    }, limitMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? String(signal));
    });
  });
}

/** Everything the child printed on stdout so far, kept up to date. */
export function outputOf(child: ChildProcess): { text: string } {
  const output = { text: '' };
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    output.text += chunk;
  });
  return output;
}
