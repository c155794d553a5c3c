import { seededRandom } from '@kmkit/core/testing';
import type { Fault } from '@kmkit/msw';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type EmulatedEndpoint,
  numberedEvents,
  startEmulatedEndpoint,
} from '../../test/emulated-endpoint.js';
import { createKissmetrics } from './create-kissmetrics.js';

const EVENTS = 10_000;
const FAILURE_RATE = 0.18;

// 18% of answers fail, evenly: 503, 429, a reset connection, or an answer slower than timeoutMs.
function faultScript(length: number): Fault[] {
  const random = seededRandom(2024);
  const kinds: Fault[] = [503, 429, 'network-error', { delayMs: 400 }];
  return Array.from({ length }, () =>
    random() < FAILURE_RATE ? kinds[Math.floor(random() * kinds.length)]! : 'ok',
  );
}

let endpoint: EmulatedEndpoint;
beforeAll(async () => {
  endpoint = await startEmulatedEndpoint({ apiKeys: ['key'] });
});
afterAll(() => endpoint.close());

describe('fault tolerance', () => {
  test('10,000 events through 18% failed requests all arrive exactly once by the duplicate key', async () => {
    endpoint.km.faults.set('*', { answers: faultScript(EVENTS * 2) });
    const km = createKissmetrics({
      apiKey: 'key',
      endpoint: endpoint.url,
      timeoutMs: 250,
      concurrency: 32,
      retry: { baseDelayMs: 5, maxDelayMs: 50 },
    });
    const messages = numberedEvents(EVENTS);
    for (const message of messages) expect(km.track(message).accepted).toBe(true);
    const result = await km.flush();
    await km.close();

    expect(result).toEqual({ delivered: EVENTS, failed: 0, dropped: 0 });

    // The faults really happened, of every kind, at about the rate asked.
    const calls = endpoint.km.faults.calls('e');
    const injected = endpoint.km.faults.counts().e ?? {};
    const failures = Object.values(injected).reduce<number>((sum, count) => sum + (count ?? 0), 0);
    expect(Object.keys(injected).sort()).toEqual(['429', '503', 'delay', 'network-error']);
    expect(failures / calls).toBeGreaterThan(0.15);
    expect(failures / calls).toBeLessThan(0.21);

    // Exactly once by Kissmetrics' duplicate key (_p, _n, _t): every event accepted once, and
    // whatever arrived twice (a slow answer and its resend) was a duplicate.
    const time = Date.parse('2024-05-01T12:00:00Z') / 1000;
    const expected = messages.map((message) => `${message.userId}|${message.event}|${time}`);
    const recorded = endpoint.km
      .people()
      .flatMap((person) =>
        person.events.map((event) => `${person.identities[0]}|${event.name}|${event.time}`),
      );
    expect(recorded.sort()).toEqual(expected.sort());
    const accepted = endpoint.km.requests().filter((request) => request.status === 'accepted');
    expect(accepted).toHaveLength(EVENTS);
    expect(endpoint.km.rejected()).toEqual([]);
  }, 120_000);
});
