// The playground's command line: `pnpm playground [flow ...] [--json]` (see bin/playground.mjs).
import { runCli } from './cli/index.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const toStderr = (...items: unknown[]) => console.error(...items);
if (json) {
  // stdout holds the JSON report alone: whatever a library logs goes to stderr.
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}
// `pnpm playground | head` closes stdout early: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// hasColors() follows NO_COLOR and FORCE_COLOR; it exists only on terminals.
const color = !json && process.stdout.isTTY === true && process.stdout.hasColors();
process.exitCode = await runCli(args, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  color,
});
