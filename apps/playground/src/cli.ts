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

const color = !json && process.stdout.isTTY === true && !process.env.NO_COLOR;
process.exitCode = await runCli(args, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  color,
});
