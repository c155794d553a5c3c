import { Registry } from 'prom-client';
import { afterEach, expect, test } from 'vitest';
import { type EmulatedEndpoint, startEmulatedEndpoint } from '../../test/emulated-endpoint.js';
import { createKissmetricsRelay, type KissmetricsRelay, registerRelayMetrics } from './index.js';

let kissmetrics: EmulatedEndpoint | undefined;
let relay: KissmetricsRelay | undefined;
afterEach(async () => {
  await relay?.close({ timeoutMs: 100 });
  await kissmetrics?.close();
});

/** The samples of a scrape, `name{labels}` -> value, as Prometheus would read them. */
function samples(text: string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    result[line.slice(0, at)] = Number(line.slice(at + 1));
  }
  return result;
}

test('a scrape shows what the relay accepted, refused by reason, delivered and holds', async () => {
  kissmetrics = await startEmulatedEndpoint({ apiKeys: ['key'] });
  relay = createKissmetricsRelay({ apiKey: 'key', endpoint: kissmetrics.url });
  const registry = new Registry();
  await registerRelayMetrics(relay, { registry, labels: { instance: 'relay-1' } });
  const send = (query: string) =>
    relay!.handle(new Request(`https://site.example/km/e?${query}`), {
      remoteAddress: '203.0.113.9',
    });
  await send('_k=key&_p=bob&_n=One&_t=1714564800&_d=1');
  await send('_k=key&_p=bob&_n=Two&_t=1714564800&_d=1');
  await send('_k=other&_p=bob&_n=Stolen');
  await send('_k=key&_p=bob');
  await relay.flush();
  kissmetrics.km.faults.set('*', { rate: 1, failWith: 'network-error' });
  await send('_k=key&_p=bob&_n=Waiting&_t=1714564800&_d=1');

  const scraped = samples(await registry.metrics());
  expect(scraped).toMatchObject({
    'kmkit_relay_accepted_total{instance="relay-1"}': 3,
    'kmkit_relay_refused_total{instance="relay-1",reason="unknown_api_key"}': 1,
    'kmkit_relay_refused_total{instance="relay-1",reason="missing_event_name"}': 1,
    'kmkit_relay_delivered_total{instance="relay-1"}': 2,
    'kmkit_relay_failed_total{instance="relay-1"}': 0,
    'kmkit_relay_queued{instance="relay-1"}': 1,
    'kmkit_relay_spool_bytes{instance="relay-1"}': 0,
  });
  expect(Object.keys(scraped)).toEqual(
    expect.arrayContaining([
      'kmkit_relay_in_flight{instance="relay-1"}',
      'kmkit_relay_concurrency{instance="relay-1"}',
      'kmkit_relay_retries_total{instance="relay-1"}',
      'kmkit_relay_dropped_total{instance="relay-1"}',
    ]),
  );
  // Counters never go back: a second scrape reads the same totals.
  expect(samples(await registry.metrics())['kmkit_relay_accepted_total{instance="relay-1"}']).toBe(
    3,
  );
});
