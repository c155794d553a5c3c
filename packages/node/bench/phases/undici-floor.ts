// The transport floor: undici's request() with prebuilt URLs, `concurrency` requests at once, no
// mapping, no queue, no retries. What any undici-based client can at best reach on this machine.
import { Agent, request } from 'undici';
import { benchUrl, report } from '../shape.js';

const [endpoint, count, concurrency] = process.argv.slice(2);
const events = Number(count);
const urls = Array.from({ length: events }, (_, index) => benchUrl(endpoint!, index));
const agent = new Agent({ connections: Number(concurrency), keepAliveTimeout: 60_000 });
let next = 0;
let errors = 0;
async function worker() {
  while (next < events) {
    const url = urls[next++]!;
    try {
      const response = await request(url, { dispatcher: agent });
      await response.body.dump();
      if (response.statusCode !== 200) errors++;
    } catch {
      errors++;
    }
  }
}
const cpu = process.cpuUsage();
const started = performance.now();
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
const elapsed = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);
await agent.close();
report({
  events,
  seconds: elapsed / 1000,
  perSecond: events / (elapsed / 1000),
  cpuMicros: (user + system) / events,
  errors,
});
