// Memory with 100,000 events queued while the endpoint is down (connections refused).
import { createKissmetrics } from '../../src/index.js';
import { benchMessage, report } from '../shape.js';

const [endpoint, count] = process.argv.slice(2);
const events = Number(count);
const gc = (globalThis as { gc?: () => void }).gc!;
const messages = Array.from({ length: events }, (_, index) => benchMessage(index));

gc();
const before = process.memoryUsage();
const km = createKissmetrics({
  apiKey: 'bench-key',
  endpoint: endpoint!,
  maxQueueLength: events,
  maxQueueBytes: events * 512,
  // The endpoint stays down: keep retrying slowly rather than failing during the measure.
  retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
});
let accepted = 0;
for (const message of messages) if (km.track(message).accepted) accepted++;
await new Promise((resolve) => setTimeout(resolve, 200));
gc();
const after = process.memoryUsage();
const stats = km.stats();
const closed = await km.close({ timeoutMs: 0 });
report({
  events,
  accepted,
  queued: stats.queued,
  queuedBytes: stats.queuedBytes,
  heapPerEvent: (after.heapUsed - before.heapUsed) / stats.queued,
  rssPerEvent: (after.rss - before.rss) / stats.queued,
  heapMiB: after.heapUsed / 2 ** 20,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  droppedAtClose: closed.dropped,
});
