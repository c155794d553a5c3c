#!/usr/bin/env node
// `pnpm playground [flow ...] [--json]`: runs the playground CLI from source, TypeScript through tsx
// and the workspace packages through their `@kmkit/source` condition, so nothing needs a build.
// A bin rather than a root script: pnpm prints a `> pkg@ script` banner on stdout for a script,
// which would break `--json`; for a bin it prints nothing.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
// Resolved from this package, so it works from any working directory.
const tsx = import.meta.resolve('tsx');

const child = spawn(
  process.execPath,
  ['--conditions=@kmkit/source', '--import', tsx, cli, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);

// Ctrl-C reaches both processes from the terminal; a signal sent to this one alone is passed on.
const forward = (signal) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);

child.on('error', (error) => {
  console.error(`playground: could not start node: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    // End the way the child did, so the shell sees the same signal.
    for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeListener(name, forward);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
