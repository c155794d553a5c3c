// @kmkit/tapstream-bridge and its ./server from CommonJS. The website bridge on a stand-in page
// (the `window` option, with `loadTapstream: false` so no DOM is needed): the Kissmetrics snippet's
// `_kmq`, then the Kissmetrics JS loading runs what the bridge queued.
import { installTapstreamBridge } from '@kmkit/tapstream-bridge';
import { createTapstreamForwarder, postbackUrlTemplate } from '@kmkit/tapstream-bridge/server';

async function main() {
  const page: { document: object; _kmq: unknown[]; _tsq?: unknown; KM?: { i(): string } } = {
    document: {},
    _kmq: [],
  };
  const bridge = installTapstreamBridge({
    accountName: 'your_tapstream_account_name',
    loadTapstream: false,
    window: page,
  });
  page.KM = { i: () => 'visitor-42' };
  for (const queued of page._kmq) if (typeof queued === 'function') queued();
  const hit = await bridge.hit;
  const expected = [
    ['setAccountName', 'your_tapstream_account_name'],
    ['addCustomParameter', 'km_identity', 'visitor-42'],
    ['fireHit', 'javascript_tracker', []],
  ];
  if (
    !bridge.installed ||
    JSON.stringify(page._tsq) !== JSON.stringify(expected) ||
    JSON.stringify(hit) !== JSON.stringify({ identity: 'visitor-42' })
  ) {
    throw new Error(
      `expected _tsq ${JSON.stringify(expected)}, got ${JSON.stringify({ tsq: page._tsq, hit })}`,
    );
  }

  const url = postbackUrlTemplate({ baseUrl: 'https://example.com/tapstream', secret: 's3cret' });
  const forwarder = createTapstreamForwarder({ apiKey: 'key', secret: 's3cret' });
  const ready = typeof forwarder.listener === 'function' && typeof forwarder.handle === 'function';
  await forwarder.close();
  if (!url.startsWith('https://example.com/tapstream?') || !ready) {
    throw new Error(`expected a postback URL and a forwarder with listener and handle, got ${url}`);
  }
  console.log('cjs ok');
}
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
