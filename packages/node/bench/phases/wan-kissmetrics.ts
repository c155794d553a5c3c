// kissmetrics@0.0.4 over a slow endpoint, offered like wan-ours: `rate` events/s for `count` events
// (Infinity: a burst), one `record()` per event as its README shows; done when every callback ran.
import { createRequire } from 'node:module';
import { benchMessage, offer, report } from '../shape.js';

interface LegacyClient {
  record(
    person: string,
    event: string,
    properties: Record<string, unknown>,
    callback: (error: Error | null) => void,
  ): void;
}

const require = createRequire(import.meta.url);
const KissmetricsClient = require('kissmetrics') as new (options: {
  key: string;
  host: string;
  port: number;
}) => LegacyClient;

const [endpoint, count, rate] = process.argv.slice(2);
const events = Number(count);
const { hostname, port } = new URL(endpoint!);
const client = new KissmetricsClient({ key: 'bench-key', host: hostname, port: Number(port) });
const messages = Array.from({ length: events }, (_, index) => benchMessage(index));
// Its request logging of every failure would swamp the output.
console.log = () => {};

let done = 0;
let errors = 0;
const cpu = process.cpuUsage();
const started = performance.now();
let offered = 0;
await new Promise<void>((resolve) => {
  void offer(events, Number(rate), (index) => {
    const message = messages[index]!;
    client.record(message.userId, message.event, { ...message.properties }, (error) => {
      if (error) errors++;
      if (++done === events) resolve();
    });
  }).then(() => {
    offered = performance.now();
  });
});
const elapsed = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);
report({
  events,
  delivered: events - errors,
  errors,
  offerSeconds: ((offered || performance.now()) - started) / 1000,
  seconds: elapsed / 1000,
  perSecond: (events - errors) / (elapsed / 1000),
  cpuMicros: (user + system) / events,
});
