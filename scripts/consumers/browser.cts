// @kmkit/browser and @kmkit/browser/device from CommonJS, on a server (SSR): the README promises
// a client made without `document` takes every call, sends nothing, flushes nothing and has
// identity ''.
import { createKissmetrics } from '@kmkit/browser';
import { createKissmetrics as createDeviceClient } from '@kmkit/browser/device';

async function main() {
  const clients = [
    createKissmetrics({ apiKey: 'your-api-key', mode: 'cloud' }),
    createDeviceClient({ apiKey: 'your-api-key' }),
  ];
  for (const km of clients) {
    km.identify('user-1', { name: 'Ada', plan: 'pro' });
    km.track('Signed Up', { source: 'landing' });
    km.page('home');
    const flushed = await km.flush();
    const identity = await km.identity();
    if (flushed.delivered + flushed.failed + flushed.dropped !== 0 || identity !== '') {
      throw new Error(
        `expected nothing flushed and identity '', got ${JSON.stringify({ flushed, identity })}`,
      );
    }
  }
  console.log('cjs ok');
}
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
