// The crash flow's child process: a server that tracks events into a crash-safe spool, in
// batches, printing how many track() calls have returned, until the parent kills it (kill -9).
// Usage: node --conditions=@kmkit/source --import tsx src/crash/spool-writer.ts <dir> <endpoint> <start ms>
import { createKissmetrics } from '@kmkit/node';
import { CRASH_API_KEY, CRASH_BATCH, crashMessage } from './messages.js';

const [dir, endpoint, start] = process.argv.slice(2);
if (!dir || !endpoint || !start) {
  process.stderr.write('usage: spool-writer.ts <spool dir> <endpoint> <start ms>\n');
  process.exit(2);
}
const km = createKissmetrics({ apiKey: CRASH_API_KEY, endpoint, spool: { dir }, concurrency: 4 });
let tracked = 0;

function batch() {
  for (let k = 0; k < CRASH_BATCH; k++) {
    if (!km.track(crashMessage(tracked, Number(start))).accepted) {
      process.stdout.write(`refused ${tracked}\n`);
      process.exit(1);
    }
    tracked++;
  }
  // Every track() above has returned: its request is in the spool's journal.
  process.stdout.write(`${tracked}\n`);
  setTimeout(batch, 5);
}

// Should the parent die first, its end of the pipe closes: stop rather than track forever.
process.stdout.on('error', () => process.exit(3));
setTimeout(() => process.exit(3), 120_000);

batch();
// Stay up like a server until killed.
setInterval(() => {}, 1000);
