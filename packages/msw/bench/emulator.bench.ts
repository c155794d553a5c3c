/**
 * Throughput of the Kissmetrics emulator behind MSW's `getResponse` (what `setupServer` and the
 * loopback servers of other packages' tests run per request), beside a bare handler answering the
 * same GIF (MSW's own cost, the floor), measured in one run so the ratio holds on a noisy machine.
 *
 * Run: pnpm --filter @kmkit/msw bench   (or `pnpm bench` at the root)
 */
import { getResponse, HttpResponse, http, type RequestHandler } from 'msw';
import { createKissmetricsEmulator, TRACKING_GIF } from '../src/index.js';

const REQUESTS = 4_000;
const ROUNDS = 5;
const TRK = 'https://trk.kissmetrics.io';
const PROXY = 'http://127.0.0.1:4567/km';

async function requestsPerSecond(
  handlers: readonly RequestHandler[],
  request: (index: number) => Request,
): Promise<number> {
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let index = 0; index < REQUESTS; index++) {
      const response = await getResponse([...handlers], request(round * REQUESTS + index));
      if (response?.status !== 200) throw new Error(`unexpected answer ${response?.status}`);
    }
    best = Math.max(best, REQUESTS / ((performance.now() - started) / 1000));
  }
  return best;
}

const event = (base: string) => (index: number) =>
  new Request(
    `${base}/e?_k=key&_p=user-${index % 100}&_n=Event%20${index % 20}&_t=${1_700_000_000 + index}&_d=1&plan=pro&seats=${index % 9}`,
  );

const set = (index: number) =>
  new Request(`${TRK}/s`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `_k=key&_p=user-${index % 100}&_t=${1_700_000_000 + index}&_d=1&plan=pro&note=${'x'.repeat(400)}`,
  });

const bare = [
  http.get(
    `${TRK}/e`,
    () => new HttpResponse(TRACKING_GIF.slice(), { headers: { 'content-type': 'image/gif' } }),
  ),
];
const km = createKissmetricsEmulator({ endpoints: [PROXY] });

// Warm-up of both paths, so that no measured row is one the JIT is still learning.
await requestsPerSecond(bare, event(TRK));
await requestsPerSecond(km.handlers, event(TRK));
km.reset();

const floor = await requestsPerSecond(bare, event(TRK));
const rows: [string, number][] = [['bare MSW handler (floor)', floor]];
rows.push(['emulator GET /e', await requestsPerSecond(km.handlers, event(TRK))]);

// Reading people back: a person with the events and properties the round above gave them.
const events = km.person('user-1')?.events.length;
const snapshots = 200;
const started = performance.now();
for (let index = 0; index < snapshots; index++) km.person('user-1');
const snapshotMs = (performance.now() - started) / snapshots;

km.reset();
rows.push(['emulator GET /e, extra endpoint', await requestsPerSecond(km.handlers, event(PROXY))]);
km.reset();
rows.push(['emulator POST /s (400-char value)', await requestsPerSecond(km.handlers, set)]);

console.log(`@kmkit/msw emulator throughput (${REQUESTS} requests x ${ROUNDS} rounds, best round)`);
for (const [name, perSecond] of rows) {
  const cost = (floor / perSecond).toFixed(2);
  console.log(
    `  ${name.padEnd(36)} ${Math.round(perSecond).toString().padStart(7)} req/s  ${cost}x`,
  );
}
console.log(`  person() of a person with ${events} events: ${snapshotMs.toFixed(2)} ms`);
