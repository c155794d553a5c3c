// @kmkit/node: track N events as fast as the caller can, then flush; optional spool. `max` is
// `maxConcurrency` ('default': the client's own).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKissmetrics } from '../../src/index.js';
import { benchMessage, report } from '../shape.js';

const [endpoint, count, max, spool] = process.argv.slice(2);
const events = Number(count);
const km = createKissmetrics({
  apiKey: 'bench-key',
  endpoint: endpoint!,
  ...(max === 'default' ? {} : { maxConcurrency: Number(max) }),
  // Everything is queued at once here, so the caps must hold all of it.
  maxQueueLength: events,
  maxQueueBytes: events * 512,
  ...(spool === 'spool'
    ? { spool: { dir: mkdtempSync(join(tmpdir(), 'kmkit-bench-')), maxBytes: events * 1024 } }
    : {}),
});
const messages = Array.from({ length: events }, (_, index) => benchMessage(index));

let peakConcurrency = 0;
const sampler = setInterval(() => {
  const { concurrency, inFlight, delivered } = km.stats();
  peakConcurrency = Math.max(peakConcurrency, concurrency);
  // BENCH_TRACE=1: the window, requests in flight and delivered every 5 ms, on stderr.
  if (process.env.BENCH_TRACE === '1') {
    const at = Math.round(performance.now() - started);
    process.stderr.write(
      `${at} ms: window ${concurrency}, in flight ${inFlight}, delivered ${delivered}\n`,
    );
  }
}, 5);
const cpu = process.cpuUsage();
const started = performance.now();
for (const message of messages) km.track(message);
const tracked = performance.now();
const result = await km.flush();
clearInterval(sampler);
const elapsed = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);
await km.close();
report({
  events,
  seconds: elapsed / 1000,
  perSecond: events / (elapsed / 1000),
  trackMicros: ((tracked - started) * 1000) / events,
  cpuMicros: (user + system) / events,
  delivered: result.delivered,
  failed: result.failed,
  dropped: result.dropped,
  peakConcurrency,
});
