// kissmetrics@0.0.4, the Node client on npm before kmkit, used as its README shows: one
// `record()` per event, no waiting. Its `host`/`port` options point it at the loopback server.
import { createRequire } from 'node:module';
import { benchMessage, report } from '../shape.js';

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

const [endpoint, count] = process.argv.slice(2);
const events = Number(count);
const { hostname, port } = new URL(endpoint!);
const client = new KissmetricsClient({ key: 'bench-key', host: hostname, port: Number(port) });
const messages = Array.from({ length: events }, (_, index) => benchMessage(index));
// Its request logging of every failure would swamp the output.
console.log = () => {};

let done = 0;
let errors = 0;
const started = performance.now();
await new Promise<void>((resolve) => {
  for (const message of messages) {
    client.record(message.userId, message.event, { ...message.properties }, (error) => {
      if (error) errors++;
      if (++done === events) resolve();
    });
  }
});
const elapsed = performance.now() - started;
report({ events, seconds: elapsed / 1000, perSecond: events / (elapsed / 1000), errors });
