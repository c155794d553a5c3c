import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KmPlugin, withProperties } from '@kmkit/core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type EmulatedEndpoint, startEmulatedEndpoint } from '../../test/emulated-endpoint.js';
import { startSilentServer } from '../../test/loopback-server.js';
import type { ClientEvents } from '../client/index.js';
import { createKissmetrics, type KissmetricsOptions } from './create-kissmetrics.js';

// 2024-05-01T12:00:00Z in Unix seconds: 2024-01-01 is 1,704,067,200; May 1 is 121 days later.
const MAY_FIRST_NOON = 1_704_067_200 + 121 * 86_400 + 12 * 3600;
const timestamp = '2024-05-01T12:00:00Z';

let endpoint: EmulatedEndpoint;
beforeAll(async () => {
  endpoint = await startEmulatedEndpoint({ apiKeys: ['key'] });
});
afterEach(() => endpoint.km.reset());
afterAll(() => endpoint.close());

const clients: { close(options?: { timeoutMs?: number }): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close({ timeoutMs: 50 })));
});

function client(options: Partial<KissmetricsOptions> = {}) {
  const km = createKissmetrics({
    apiKey: 'key',
    endpoint: endpoint.url,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
  clients.push(km);
  return km;
}

function collect<K extends keyof ClientEvents>(
  km: { on: (event: K, listener: (payload: ClientEvents[K]) => void) => unknown },
  event: K,
) {
  const seen: ClientEvents[K][] = [];
  km.on(event, (payload) => seen.push(payload));
  return seen;
}

describe('calls', () => {
  test('track queues the event and flush delivers it with the time of its timestamp', async () => {
    const km = client();
    const result = km.track({
      userId: 'bob',
      event: 'Signed Up',
      timestamp,
      messageId: 'm-1',
      properties: { plan: 'pro' },
    });
    expect(result).toEqual({ messageId: 'm-1', accepted: true, queued: 1, warnings: [] });
    expect(await km.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0 });
    expect(endpoint.km.person('bob')?.events).toEqual([
      { name: 'Signed Up', time: MAY_FIRST_NOON, properties: { plan: 'pro' } },
    ]);
    expect(endpoint.km.rejected()).toEqual([]);
  });

  test('each call names its own person: one client serves many users', async () => {
    const km = client();
    km.track({ userId: 'ann', event: 'Opened', timestamp });
    km.track({ anonymousId: 'anon-7', event: 'Opened', timestamp });
    km.page({ userId: 'ann', name: 'Pricing', timestamp });
    await km.flush();
    expect(endpoint.km.person('ann')?.events.map((event) => event.name)).toEqual([
      'Opened',
      'Viewed Pricing page',
    ]);
    expect(endpoint.km.person('anon-7')?.events.map((event) => event.name)).toEqual(['Opened']);
  });

  test('identify with both ids sets the traits and aliases the two identities', async () => {
    const km = client();
    const result = km.identify({
      userId: 'bob',
      anonymousId: 'anon-1',
      traits: { email: 'bob@example.com' },
      timestamp,
    });
    expect(result.queued).toBe(2);
    await km.flush();
    expect(endpoint.km.person('anon-1')).toEqual(endpoint.km.person('bob'));
    expect(endpoint.km.person('bob')?.properties).toEqual({ email: 'bob@example.com' });
  });

  test('alias, group and screen reach Kissmetrics as /a and /s and a screen event', async () => {
    const km = client();
    km.alias({ userId: 'bob', previousId: 'visitor-3', timestamp });
    km.group({ userId: 'bob', groupId: 'acme', traits: { plan: 'team' }, timestamp });
    km.screen({ userId: 'bob', name: 'Home', timestamp });
    await km.flush();
    const bob = endpoint.km.person('visitor-3');
    expect(bob).toEqual(endpoint.km.person('bob'));
    expect(bob?.properties).toMatchObject({ 'Group - id': 'acme', 'Group - plan': 'team' });
    expect(bob?.events.map((event) => event.name)).toEqual(['Viewed Home screen']);
  });

  test('mapping options pass through: prefixProperties names track properties after the event', async () => {
    const km = client({ prefixProperties: true });
    km.track({ userId: 'bob', event: 'Signed Up', properties: { plan: 'pro' }, timestamp });
    await km.flush();
    expect(endpoint.km.person('bob')?.events[0]?.properties).toEqual({ 'Signed Up - plan': 'pro' });
  });

  test('an invalid message throws KmValidationError at the call site and nothing is queued', async () => {
    const km = client();
    expect(() => km.track({ userId: 'bob', event: '' } as never)).toThrow(
      expect.objectContaining({ name: 'KmValidationError', code: 'missing_event_name' }),
    );
    expect(() => km.track({ event: 'Signed Up' } as never)).toThrow(
      expect.objectContaining({ code: 'missing_identity' }),
    );
    expect(() => km.identify('bob' as never)).toThrow(
      expect.objectContaining({ code: 'invalid_message' }),
    );
    expect(km.stats().queued).toBe(0);
    await km.flush();
    expect(endpoint.km.requests()).toEqual([]);
  });

  test('what the mapping changed is returned and emitted as warnings with code, path and messageId', async () => {
    const km = client();
    const warnings = collect(km, 'warning');
    const result = km.track({
      userId: 'bob',
      event: 'Clicked',
      messageId: 'm-9',
      properties: { label: 'Buy', score: Number.NaN },
    });
    expect(result.accepted).toBe(true);
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'non_finite_number', path: 'properties.score' }),
    ]);
    expect(warnings).toEqual([
      expect.objectContaining({
        code: 'non_finite_number',
        path: 'properties.score',
        messageId: 'm-9',
      }),
    ]);
    await km.flush();
    expect(endpoint.km.person('bob')?.events[0]?.properties).toEqual({ label: 'Buy' });
  });

  test('an apiKey or endpoint that cannot work is refused when the client is created', () => {
    expect(() => createKissmetrics({ apiKey: '' })).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'apiKey' }),
    );
    expect(() => createKissmetrics({ apiKey: 'key', endpoint: 'trk.kissmetrics.io' })).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'endpoint' }),
    );
  });

  test('a listener that throws is reported as a warning and delivery goes on', async () => {
    const km = client();
    const warnings = collect(km, 'warning');
    km.on('delivered', () => {
      throw new Error('boom');
    });
    km.track({ userId: 'bob', event: 'Seen' });
    expect(await km.flush()).toMatchObject({ delivered: 1 });
    expect(warnings).toEqual([expect.objectContaining({ code: 'listener_failed' })]);
  });
});

describe('plugins', () => {
  const dropBots: KmPlugin = {
    name: 'drop-bots',
    type: 'before',
    process: (event) => (String(event.context.userAgent).includes('bot') ? null : event),
  };
  const campaign: KmPlugin = {
    name: 'campaign',
    type: 'enrichment',
    process: (event) => withProperties(event, { campaign: 'spring' }),
  };

  test('an enrichment plugin adds properties that reach Kissmetrics', async () => {
    const km = client({ plugins: [campaign] });
    km.track({ userId: 'bob', event: 'Opened', properties: { screen: 'home' } });
    await km.flush();
    expect(endpoint.km.person('bob')?.events[0]?.properties).toEqual({
      screen: 'home',
      campaign: 'spring',
    });
  });

  test('a plugin returning null drops the message: a drop event names it, and it is counted', async () => {
    const km = client({ plugins: [dropBots, campaign] });
    const drops = collect(km, 'drop');
    const result = km.track({
      userId: 'crawler',
      event: 'Opened',
      messageId: 'm-bot',
      context: { userAgent: 'Googlebot/2.1' },
    });
    expect(result).toEqual({ messageId: 'm-bot', accepted: false, queued: 0, warnings: [] });
    expect(drops).toEqual([
      expect.objectContaining({ reason: 'plugin', plugin: 'drop-bots', messageId: 'm-bot' }),
    ]);
    expect(km.stats().dropped).toBe(1);
    expect(await km.flush()).toEqual({ delivered: 0, failed: 0, dropped: 1 });
    expect(endpoint.km.requests()).toEqual([]);
  });

  test('a plugin that throws is skipped with a warning and the message still goes out', async () => {
    const broken: KmPlugin = {
      name: 'broken',
      type: 'enrichment',
      process: () => {
        throw new Error('no database');
      },
    };
    const km = client({ plugins: [broken] });
    const warnings = collect(km, 'warning');
    km.track({ userId: 'bob', event: 'Opened', messageId: 'm-2' });
    expect(await km.flush()).toMatchObject({ delivered: 1 });
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'plugin_failed', plugin: 'broken', messageId: 'm-2' }),
    ]);
    expect(endpoint.km.person('bob')?.events).toHaveLength(1);
  });
});

describe('caps and overflow', () => {
  test('refuse (default): past maxQueueLength an event is refused with a drop event and counted', async () => {
    const silent = await startSilentServer();
    const km = client({ endpoint: silent.url, maxQueueLength: 2, concurrency: 1 });
    const drops = collect(km, 'drop');
    expect(km.track({ userId: 'a', event: 'One' }).accepted).toBe(true);
    expect(km.track({ userId: 'a', event: 'Two' }).accepted).toBe(true);
    expect(km.track({ userId: 'a', event: 'Three' })).toMatchObject({ accepted: false, queued: 0 });
    expect(drops).toEqual([expect.objectContaining({ reason: 'queue_full' })]);
    expect(drops[0]?.message).toMatch(/maxQueueLength 2/);
    expect(km.stats()).toMatchObject({ queued: 2, dropped: 1 });
    const closed = await km.close({ timeoutMs: 20 });
    expect(closed).toEqual({ delivered: 0, failed: 0, dropped: 3, remaining: 2, persisted: false });
    await silent.close();
  });

  test('refuse: maxQueueBytes bounds the bytes queued', async () => {
    const silent = await startSilentServer();
    const km = client({ endpoint: silent.url, maxQueueBytes: 400, concurrency: 1 });
    let accepted = 0;
    for (let i = 0; i < 20; i++) if (km.track({ userId: 'a', event: `E${i}` }).accepted) accepted++;
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(20);
    expect(km.stats().queuedBytes).toBeLessThanOrEqual(400);
    expect(km.stats().dropped).toBe(20 - accepted);
    await km.close({ timeoutMs: 20 });
    await silent.close();
  });

  test('drop-oldest evicts the oldest waiting event for the new one, and reports it', async () => {
    const silent = await startSilentServer();
    const km = client({
      endpoint: silent.url,
      maxQueueLength: 2,
      concurrency: 1,
      overflow: 'drop-oldest',
    });
    const drops = collect(km, 'drop');
    km.track({ userId: 'a', event: 'One' }); // in flight: never evicted
    km.track({ userId: 'a', event: 'Two' });
    expect(km.track({ userId: 'a', event: 'Three' }).accepted).toBe(true);
    expect(drops).toEqual([expect.objectContaining({ reason: 'evicted' })]);
    expect((drops[0] as { request: { url: string } }).request.url).toContain('_n=Two');
    await km.close({ timeoutMs: 20 });
    await silent.close();
  });
});

describe('flush', () => {
  test('concurrent flushes share the work: every event is sent once and both see the counts', async () => {
    const km = client();
    for (let i = 0; i < 30; i++) km.track({ userId: 'bob', event: `E${i}`, timestamp });
    const [first, second] = await Promise.all([km.flush(), km.flush()]);
    expect(first).toEqual({ delivered: 30, failed: 0, dropped: 0 });
    expect(second).toEqual({ delivered: 30, failed: 0, dropped: 0 });
    expect(endpoint.km.requests()).toHaveLength(30);
  });

  test('counts requests that failed for good, and drops since the previous flush', async () => {
    endpoint.km.faults.set('e', { answers: [400] });
    const km = client({ maxQueueLength: 1, concurrency: 1 });
    km.track({ userId: 'bob', event: 'Rejected' });
    km.track({ userId: 'bob', event: 'Refused' }); // the queue holds one: refused
    expect(await km.flush()).toEqual({ delivered: 0, failed: 1, dropped: 1 });
    km.track({ userId: 'bob', event: 'Fine' });
    expect(await km.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0 });
  });

  test('flush with nothing queued resolves at once with zeros', async () => {
    expect(await client().flush()).toEqual({ delivered: 0, failed: 0, dropped: 0 });
  });
});

describe('close', () => {
  test('drains what is queued, then refuses new events with a drop; every call gets the same result', async () => {
    const km = client();
    km.track({ userId: 'bob', event: 'Before close' });
    const drops = collect(km, 'drop');
    const first = km.close();
    expect(km.track({ userId: 'bob', event: 'After close' }).accepted).toBe(false);
    expect(await first).toEqual({
      delivered: 1,
      failed: 0,
      dropped: 0,
      remaining: 0,
      persisted: false,
    });
    expect(km.close()).toBe(first);
    expect(drops).toEqual([expect.objectContaining({ reason: 'closed' })]);
    expect(endpoint.km.person('bob')?.events.map((event) => event.name)).toEqual(['Before close']);
  });

  test('at the deadline it aborts what is in flight and reports what was left as drops', async () => {
    const silent = await startSilentServer();
    const km = client({ endpoint: silent.url });
    const drops = collect(km, 'drop');
    km.track({ userId: 'bob', event: 'Lost' });
    const result = await km.close({ timeoutMs: 50 });
    expect(result).toEqual({ delivered: 0, failed: 0, dropped: 1, remaining: 1, persisted: false });
    expect(drops).toEqual([expect.objectContaining({ reason: 'unsent_at_close' })]);
    await silent.close();
  });

  test('with a spool, what is left at the deadline stays on disk and the next client delivers it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmkit-close-'));
    // Kissmetrics is down (503) for the first client, which retries slowly.
    endpoint.km.faults.set('*', { rate: 1, failWith: 503 });
    const first = client({ spool: { dir }, retry: { baseDelayMs: 60_000 } });
    const drops = collect(first, 'drop');
    first.track({ userId: 'bob', event: 'Kept', timestamp });
    first.track({ userId: 'bob', event: 'Kept too', timestamp });
    expect(await first.close({ timeoutMs: 50 })).toEqual({
      delivered: 0,
      failed: 0,
      dropped: 0,
      remaining: 2,
      persisted: true,
    });
    expect(drops).toEqual([]);

    endpoint.km.faults.clear();
    const second = client({ spool: { dir } });
    expect(await second.flush()).toEqual({ delivered: 2, failed: 0, dropped: 0 });
    expect(endpoint.km.person('bob')?.events.map((event) => event.name)).toEqual([
      'Kept',
      'Kept too',
    ]);
    expect(second.stats().spool).toMatchObject({ entries: 0, recovered: 2 });
  });

  test('with a full spool new events are refused with a spool_full drop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmkit-full-'));
    const silent = await startSilentServer();
    const km = client({ endpoint: silent.url, spool: { dir, maxBytes: 1000 } });
    const drops = collect(km, 'drop');
    let accepted = 0;
    for (let i = 0; i < 20; i++)
      if (km.track({ userId: 'bob', event: `E${i}` }).accepted) accepted++;
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(20);
    expect(drops).toHaveLength(20 - accepted);
    expect(drops.every((drop) => drop.reason === 'spool_full')).toBe(true);
    expect(km.stats().spool!.bytes).toBeLessThanOrEqual(1000);
    expect(km.stats().dropped).toBe(20 - accepted);
    await km.close({ timeoutMs: 20 });
    await silent.close();
  });
});

describe('serverless', () => {
  test('waitUntil receives one flush per tick, which resolves once the events are delivered', async () => {
    const handed: Promise<unknown>[] = [];
    const km = client({ waitUntil: (promise) => handed.push(promise) });
    km.track({ userId: 'bob', event: 'One' });
    km.track({ userId: 'bob', event: 'Two' });
    expect(handed).toHaveLength(1);
    expect(await handed[0]).toEqual({ delivered: 2, failed: 0, dropped: 0 });
    expect(endpoint.km.person('bob')?.events).toHaveLength(2);
    km.track({ userId: 'bob', event: 'Three' });
    expect(handed).toHaveLength(2);
    await handed[1];
  });
});
