import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fault } from '@kmkit/msw';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type EmulatedEndpoint, startEmulatedEndpoint } from '../../test/emulated-endpoint.js';
import { createKissmetrics } from './create-kissmetrics.js';

let endpoint: EmulatedEndpoint;
beforeAll(async () => {
  endpoint = await startEmulatedEndpoint({ apiKeys: ['key'] });
});
afterEach(() => endpoint.km.reset());
afterAll(() => endpoint.close());

interface Scenario {
  /** What Kissmetrics answers, attempt by attempt (then 200). */
  readonly answers: readonly Fault[];
  readonly delivered: boolean;
  /** Retry events in order: reason and status. */
  readonly retries: readonly string[];
  /** The final error's reason, when it fails. */
  readonly error?: string;
  readonly attempts: number;
  /** False when the last answer is an injected fault that records nothing (the 304). */
  readonly recorded?: boolean;
  /** With a spool: the request is durably stored, so retried until retry.maxAgeMs. */
  readonly spool?: boolean;
}

// Every row goes through the real undici transport to the emulator on a loopback port.
const matrix: Record<string, Scenario> = {
  '1. 200 at once': { answers: [], delivered: true, retries: [], attempts: 1 },
  '2. 503 then 200': { answers: [503], delivered: true, retries: ['status 503'], attempts: 2 },
  '3. 500, 502, 504 then 200': {
    answers: [500, 502, 504],
    delivered: true,
    retries: ['status 500', 'status 502', 'status 504'],
    attempts: 4,
  },
  '4. 429 then 200': { answers: [429], delivered: true, retries: ['status 429'], attempts: 2 },
  '5. 408 then 200': { answers: [408], delivered: true, retries: ['status 408'], attempts: 2 },
  '6. connection reset then 200': {
    answers: ['network-error'],
    delivered: true,
    retries: ['network'],
    attempts: 2,
  },
  '7. no answer within timeoutMs, then 200': {
    answers: [{ delayMs: 2500 }],
    delivered: true,
    retries: ['timeout'],
    attempts: 2,
  },
  '8. 304 counts as delivered': {
    answers: [304],
    delivered: true,
    retries: [],
    attempts: 1,
    recorded: false,
  },
  '9. 400 fails at once': {
    answers: [400],
    delivered: false,
    retries: [],
    error: 'rejected',
    attempts: 1,
  },
  '10. 501 fails at once': {
    answers: [501],
    delivered: false,
    retries: [],
    error: 'rejected',
    attempts: 1,
  },
  '11. 503 on every attempt gives up after maxAttempts (4)': {
    answers: [503, 503, 503, 503],
    delivered: false,
    retries: ['status 503', 'status 503', 'status 503'],
    error: 'max_attempts',
    attempts: 4,
  },
  '12. a reset, a 429 and a timeout in a row, then 200': {
    answers: ['network-error', 429, { delayMs: 2500 }],
    delivered: true,
    retries: ['network', 'status 429', 'timeout'],
    attempts: 4,
  },
  '13. with a spool, 503 on 7 attempts (past maxAttempts 4), then 200: delivered': {
    answers: [503, 503, 503, 503, 503, 503, 503],
    delivered: true,
    retries: Array(7).fill('status 503'),
    attempts: 8,
    spool: true,
  },
  '14. with a spool, resets and timeouts past maxAttempts, then 200: delivered': {
    answers: ['network-error', { delayMs: 2500 }, 'network-error', 'network-error', 503],
    delivered: true,
    retries: ['network', 'timeout', 'network', 'network', 'status 503'],
    attempts: 6,
    spool: true,
  },
  '15. with a spool, 400 still fails at once': {
    answers: [400],
    delivered: false,
    retries: [],
    error: 'rejected',
    attempts: 1,
    spool: true,
  },
};

describe('retry matrix over the undici transport', () => {
  test.each(Object.entries(matrix))('%s', async (_, scenario) => {
    endpoint.km.faults.set('e', { answers: scenario.answers });
    const km = createKissmetrics({
      apiKey: 'key',
      endpoint: endpoint.url,
      timeoutMs: 1000,
      retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 4 },
      ...(scenario.spool ? { spool: { dir: mkdtempSync(join(tmpdir(), 'kmkit-matrix-')) } } : {}),
    });
    const retries: string[] = [];
    const errors: { reason: string; attempts: number }[] = [];
    let attempts = 0;
    km.on('retry', (event) =>
      retries.push(event.status === undefined ? event.reason : `${event.reason} ${event.status}`),
    );
    km.on('error', (event) => errors.push({ reason: event.reason, attempts: event.attempts }));
    km.on('delivered', (event) => {
      attempts = event.attempts;
    });
    km.track({ userId: 'bob', event: 'Paid', timestamp: '2024-05-01T12:00:00Z' });
    const result = await km.flush();
    await km.close();

    expect(retries).toEqual(scenario.retries);
    expect(endpoint.km.faults.calls('e')).toBe(scenario.attempts);
    if (scenario.delivered) {
      expect(result).toEqual({ delivered: 1, failed: 0, dropped: 0 });
      expect(attempts).toBe(scenario.attempts);
      // Resends are the same request: Kissmetrics keeps one event, whatever arrived twice.
      expect(endpoint.km.person('bob')?.events ?? []).toHaveLength(
        scenario.recorded === false ? 0 : 1,
      );
    } else {
      expect(result).toEqual({ delivered: 0, failed: 1, dropped: 0 });
      expect(errors).toEqual([{ reason: scenario.error, attempts: scenario.attempts }]);
    }
  });
});
