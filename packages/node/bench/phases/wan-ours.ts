// @kmkit/node with default options over a slow endpoint: `rate` events/s for `count` events
// (Infinity: a burst), then flush. Reports what was delivered and dropped, and the drain time;
// with `markMs`, also the window and requests in flight that long after the start.
import { createKissmetrics } from '../../src/index.js';
import { benchMessage, offer, report } from '../shape.js';

const [endpoint, count, rate, markMs, maxConcurrency] = process.argv.slice(2);
const events = Number(count);
const markAt = markMs === undefined || markMs === '-' ? undefined : Number(markMs);
const km = createKissmetrics({
  apiKey: 'bench-key',
  endpoint: endpoint!,
  ...(maxConcurrency === undefined ? {} : { maxConcurrency: Number(maxConcurrency) }),
});
const messages = Array.from({ length: events }, (_, index) => benchMessage(index));

let peakConcurrency = 0;
let peakInFlight = 0;
let mark: { concurrency: number; inFlight: number } | undefined;
const sample = () => {
  const { concurrency, inFlight } = km.stats();
  peakConcurrency = Math.max(peakConcurrency, concurrency);
  peakInFlight = Math.max(peakInFlight, inFlight);
  if (markAt !== undefined && !mark && performance.now() - started >= markAt) {
    mark = { concurrency, inFlight };
  }
};
// BENCH_TRACE=1: the window, requests in flight and queued every 100 ms, on stderr.
const trace =
  process.env.BENCH_TRACE === '1'
    ? setInterval(() => {
        const { concurrency, inFlight, queued, delivered } = km.stats();
        const at = Math.round(performance.now() - started);
        process.stderr.write(
          `${at} ms: window ${concurrency}, in flight ${inFlight}, queued ${queued}, delivered ${delivered}\n`,
        );
      }, 100)
    : undefined;
const cpu = process.cpuUsage();
const started = performance.now();
await offer(events, Number(rate), (index) => km.track(messages[index]!), sample);
const offered = performance.now();
const sampler = setInterval(sample, 10);
await km.flush();
clearInterval(sampler);
clearInterval(trace);
const elapsed = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);
const stats = km.stats();
await km.close();
report({
  events,
  delivered: stats.delivered,
  dropped: stats.dropped,
  failed: stats.failed,
  retries: stats.retries,
  offerSeconds: (offered - started) / 1000,
  seconds: elapsed / 1000,
  perSecond: stats.delivered / (elapsed / 1000),
  cpuMicros: (user + system) / events,
  peakConcurrency,
  peakInFlight,
  markConcurrency: mark?.concurrency ?? -1,
  markInFlight: mark?.inFlight ?? -1,
});
