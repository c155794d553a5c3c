import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKissmetricsEmulator } from '@kmkit/msw';
import { createKissmetrics } from '@kmkit/node';
import { http } from 'msw';
import { CRASH_API_KEY, CRASH_BATCH, crashMessage, spawnSpoolWriter } from '../crash/index.js';
import {
  type Check,
  check,
  checkEqual,
  createFlowClock,
  type Flow,
  toPerson,
  toRequestView,
} from '../flow/index.js';
import { startLoopbackServer } from '../network/index.js';

/** Requests Kissmetrics answers before it stalls (every later one hangs, unanswered). */
const ANSWERED_BEFORE_STALL = 40;
/** The child is killed once it has tracked at least this many events. */
const KILL_AFTER = 200;
const LIMIT_MS = 30_000;

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const end = Date.now() + LIMIT_MS;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`the child never got there: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Flow 6: a server process with a spool is killed (SIGKILL) while it tracks and while Kissmetrics
 * is slow to answer; a new process on the same spool directory delivers what it left, and
 * Kissmetrics' duplicate key makes every event count exactly once.
 */
export const crash: Flow = {
  name: 'crash',
  title: 'A crash: a child process killed mid-stream, its spool delivered by the next one',
  async run(context) {
    const clock = createFlowClock(context.start);
    const loopback = await startLoopbackServer();
    try {
      const km = createKissmetricsEmulator({
        apiKeys: [CRASH_API_KEY],
        endpoints: [loopback.url],
        now: clock.now,
      });
      // Kissmetrics answers the first requests, then stalls: the rest stay in flight or queued.
      const stall = http.all('*', () =>
        km.requests().length >= ANSWERED_BEFORE_STALL ? new Promise<never>(() => {}) : undefined,
      );
      loopback.use([stall, ...km.handlers]);
      const dir = join(context.workDir, 'spool');

      context.log(`starting the child; it is killed after ${KILL_AFTER} events`);
      const child = spawnSpoolWriter(dir, loopback.url, context.start);
      let exit: number | string;
      try {
        await waitFor(
          () =>
            (child.tracked() >= KILL_AFTER && km.requests().length >= ANSWERED_BEFORE_STALL) ||
            child.complaints() !== '',
          `${KILL_AFTER} events tracked and ${ANSWERED_BEFORE_STALL} delivered`,
        );
      } finally {
        // Also when waiting failed: the child never stops by itself.
        child.kill('SIGKILL');
        exit = await child.exited;
      }
      const tracked = child.tracked();
      const deliveredBefore = km.requests().length;
      // The lock is the highest numbered file in lock/, naming its process's pid first.
      const lockDir = join(dir, 'lock');
      const generation = Math.max(...readdirSync(lockDir).map(Number).filter(Number.isInteger));
      const lockHolder = readFileSync(join(lockDir, String(generation)), 'utf8').split(' ')[0];

      // The next process: same spool directory, Kissmetrics answering again.
      loopback.use(km.handlers);
      const next = createKissmetrics({
        apiKey: CRASH_API_KEY,
        endpoint: loopback.url,
        spool: { dir },
      });
      const warnings: string[] = [];
      next.on('warning', (warning) => warnings.push(warning.code));
      const flushed = await next.flush();
      const recovered = next.stats().spool?.recovered ?? 0;
      await next.close();

      const requests = km.requests().map(toRequestView);
      const people = km
        .people()
        .map(toPerson)
        .sort((a, b) => (a.identities[0]! < b.identities[0]! ? -1 : 1));
      const counts = new Map<number, number>();
      for (const person of people) {
        for (const event of person.events) {
          const ticket = Number(event.properties.ticket);
          counts.set(ticket, (counts.get(ticket) ?? 0) + 1);
        }
      }
      const missing: number[] = [];
      for (let index = 0; index < tracked; index++) {
        if (counts.get(index + 1) !== 1) missing.push(index + 1);
      }
      const highest = Math.max(0, ...counts.keys());
      const duplicates = requests.filter((request) => request.status === 'duplicate').length;
      const accepted = requests.filter((request) => request.status === 'accepted').length;
      // Every recorded event is the one the child made: its person and time.
      const mismatched = people.flatMap((person) =>
        person.events.filter((event) => {
          const expected = crashMessage(Number(event.properties.ticket) - 1, context.start);
          return (
            person.identities[0] !== expected.userId ||
            event.time !== expected.timestamp.replace('.000Z', 'Z')
          );
        }),
      );

      const checks: Check[] = [
        check(
          'the child tracked into its spool and was killed with SIGKILL mid-stream',
          exit === 'SIGKILL' && child.complaints() === '' && tracked >= KILL_AFTER,
          `exit ${exit}, tracked ${tracked}, said: ${child.complaints()}`,
        ),
        checkEqual(
          'the dead process still held the spool lock; the next client took it over',
          lockHolder,
          String(child.pid),
        ),
        check(
          'the next client delivered what the dead one left, nothing failed or dropped',
          flushed.delivered > 0 && flushed.failed === 0 && flushed.dropped === 0,
          JSON.stringify(flushed),
        ),
        checkEqual(
          `every one of the ${tracked} events tracked before the kill is on its timeline exactly once`,
          missing,
          [],
        ),
        check(
          'nothing beyond the batch being tracked at the kill was recorded',
          highest < tracked + CRASH_BATCH,
          `highest ticket ${highest}, tracked ${tracked}`,
        ),
        checkEqual('each recorded event has its person and time', mismatched, []),
        checkEqual(
          'Kissmetrics accepted one request per event; resent ones were duplicates, counted once',
          [accepted, accepted + duplicates],
          [counts.size, requests.length],
        ),
        check(
          'the only warnings were a journal line cut by the kill (skipped, never a crash)',
          warnings.every((code) => code === 'spool_corrupt_line'),
          warnings.join(', '),
        ),
        checkEqual('Kissmetrics rejected nothing', km.rejected(), []),
        checkEqual('the loopback server answered every request', loopback.unhandled(), []),
      ];
      return {
        sections: [
          {
            title: 'kill -9 mid-stream, then a restart on the same spool',
            about:
              'a child process (@kmkit/node with spool: { dir }) tracks 10 events every 5 ms ' +
              `against a loopback server; Kissmetrics answers ${ANSWERED_BEFORE_STALL} requests ` +
              'then stalls; the child is killed with SIGKILL; a new client on the same directory flushes',
            calls: [
              {
                call: `child: createKissmetrics({ apiKey, endpoint, spool: { dir } }); km.track(...) in batches of ${CRASH_BATCH}`,
                result: `${tracked} tracked, then ${exit}`,
              },
              {
                call: 'next process: createKissmetrics({ apiKey, endpoint, spool: { dir } }).flush()',
                result: JSON.stringify(flushed),
              },
            ],
            requests,
            facts: [
              {
                label: 'before the kill',
                value: `${tracked} events tracked (each journaled before track() returned), ${deliveredBefore} delivered`,
              },
              {
                label: 'recovered from the spool by the next process',
                value: `${recovered} requests`,
              },
              {
                label:
                  'resent after the kill, already delivered (its acknowledgement was not yet journaled)',
                value: `${duplicates}, each a duplicate Kissmetrics counted once`,
              },
              {
                label: 'spool warnings',
                value: warnings.length === 0 ? 'none' : warnings.join(', '),
              },
            ],
            people,
          },
        ],
        checks,
      };
    } finally {
      await loopback.close();
    }
  },
};
