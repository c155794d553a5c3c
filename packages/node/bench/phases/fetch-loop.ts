// The naive client: one `await fetch(url)` after another.
import { benchUrl, report } from '../shape.js';

const [endpoint, count] = process.argv.slice(2);
const events = Number(count);
const urls = Array.from({ length: events }, (_, index) => benchUrl(endpoint!, index));
let errors = 0;
const started = performance.now();
for (const url of urls) {
  try {
    const response = await fetch(url);
    await response.arrayBuffer();
    if (response.status !== 200) errors++;
  } catch {
    errors++;
  }
}
const elapsed = performance.now() - started;
report({ events, seconds: elapsed / 1000, perSecond: events / (elapsed / 1000), errors });
