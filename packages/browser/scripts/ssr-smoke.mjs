// Server-side rendering, as Next.js, Remix, Astro or SvelteKit do it: plain Node (no window, no
// document) loads each given build of `@kmkit/browser` (`.js` imported as ESM, `.cjs` required),
// makes clients in both modes and calls every method. Prints one JSON line per file and exits
// non-zero when anything threw, a global was added, a request was sent or a timer was left.
//
// node scripts/ssr-smoke.mjs dist/index.js dist/index.cjs dist/device/index.js dist/device/index.cjs
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node scripts/ssr-smoke.mjs <built entry>...');
  process.exit(2);
}

// Any request is a failure: a server-made client sends nothing.
const sent = [];
globalThis.fetch = async (url) => {
  sent.push(String(url));
  throw new Error('a server-made client must not send');
};

let failed = false;
for (const file of files) {
  const path = resolve(file);
  const before = new Set(Object.getOwnPropertyNames(globalThis));
  const result = { file, loaded: false, calls: false, globalsAdded: [], sent: 0 };
  try {
    const entry = path.endsWith('.cjs') ? require(path) : await import(pathToFileURL(path).href);
    result.loaded = typeof entry.createKissmetrics === 'function';
    result.globalsAdded = Object.getOwnPropertyNames(globalThis).filter(
      (name) => !before.has(name),
    );
    const device = file.includes('device');
    const clients = [
      entry.createKissmetrics(device ? { apiKey: 'key' } : { apiKey: 'key', mode: 'device' }),
      ...(device ? [] : [entry.createKissmetrics({ apiKey: 'key', mode: 'cloud' })]),
    ];
    const events = [];
    for (const km of clients) {
      for (const name of ['delivered', 'retry', 'error', 'drop', 'warning', 'invalid']) {
        km.on(name, (event) => events.push([name, event]));
      }
      km.identify('user-1', { plan: 'pro' });
      km.identify({ plan: 'team' });
      km.track('Signed Up', { source: 'ssr' });
      km.track('');
      km.page('Docs', 'Install', { path: '/docs' });
      km.screen('Settings');
      km.alias('user-2');
      km.group('acme', { seats: 3 });
      km.send({ type: 'track', event: 'Sent', userId: 'u' });
      km.reset({ clearQueue: true });
      const flushed = await km.flush();
      const identity = await km.identity();
      const stats = km.stats();
      if (flushed.delivered + flushed.failed + flushed.dropped !== 0) throw new Error('flushed');
      if (identity !== '') throw new Error(`identity ${identity}`);
      if (stats.queued !== 0 || stats.invalid !== 0) throw new Error('stats');
    }
    if (events.length > 0) throw new Error(`events: ${JSON.stringify(events)}`);
    if (entry.trackPageViews === undefined) throw new Error('trackPageViews is missing');
    result.calls = true;
    // Creating and calling added nothing either.
    result.globalsAdded = Object.getOwnPropertyNames(globalThis).filter(
      (name) => !before.has(name),
    );
  } catch (error) {
    result.error = String(error?.stack ?? error);
  }
  result.sent = sent.length;
  failed ||= !result.loaded || !result.calls || result.globalsAdded.length > 0 || sent.length > 0;
  console.log(JSON.stringify(result));
}
// A timer left behind would keep this process alive: the caller's deadline catches it.
process.exitCode = failed ? 1 : 0;
