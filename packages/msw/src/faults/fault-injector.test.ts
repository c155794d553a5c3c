import { isKmValidationError } from '@kmkit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { useServer } from '../../test/server.js';
import { createKissmetricsEmulator } from '../kissmetrics/index.js';
import type { FaultPlan } from './fault.js';

const km = createKissmetricsEmulator({ apiKeys: ['key'], faults: { a: { answers: [500] } } });
const server = useServer(...km.handlers);
afterEach(() => km.reset());

const E = 'https://trk.kissmetrics.io/e?_k=key&_n=Ev&_p=';

/** Status of each call, or 'network-error' when fetch rejected. */
async function statusesOf(urls: string[]): Promise<(number | 'network-error')[]> {
  const statuses: (number | 'network-error')[] = [];
  for (const url of urls) {
    try {
      statuses.push((await fetch(url)).status);
    } catch (error) {
      expect(error).toBeInstanceOf(TypeError);
      statuses.push('network-error');
    }
  }
  return statuses;
}

const people = (count: number, prefix = 'p') =>
  Array.from({ length: count }, (_, index) => `${E}${prefix}${index}`);

describe('scripted answers by call number', () => {
  it('answers each call with its scripted fault, then normally', async () => {
    km.faults.set('e', { answers: [503, 'ok', 500, 'network-error', 429] });
    expect(await statusesOf(people(7))).toEqual([503, 200, 500, 'network-error', 429, 200, 200]);
  });

  it('gives a faulted request no effect: no person, not among requests()', async () => {
    km.faults.set('e', { answers: [503, 'network-error'] });
    await statusesOf([`${E}faulted-1`, `${E}faulted-2`, `${E}delivered`]);
    expect(km.people().map((person) => person.identities)).toEqual([['delivered']]);
    expect(km.requests().map((request) => request.params._p)).toEqual(['delivered']);
  });

  it('sends Retry-After in seconds, as a number or a string, and as an HTTP date', async () => {
    const date = new Date(Date.UTC(2030, 5, 1, 12, 0, 0));
    km.faults.set('e', {
      answers: [
        { status: 429, retryAfter: '2' },
        { status: 503, retryAfter: 7 },
        { status: 429, retryAfter: date },
        429,
      ],
    });
    const answers = [];
    for (const url of people(4)) {
      const response = await fetch(url);
      answers.push([response.status, response.headers.get('retry-after')]);
    }
    expect(answers).toEqual([
      [429, '2'],
      [503, '7'],
      [429, 'Sat, 01 Jun 2030 12:00:00 GMT'],
      [429, null],
    ]);
  });

  it('answers normally after a delay fault, with the normal effect', async () => {
    km.faults.set('s', { answers: [{ delayMs: 20 }] });
    const response = await fetch('https://trk.kissmetrics.io/s?_k=key&_p=slow&a=1');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/gif');
    expect(km.person('slow')?.properties).toEqual({ a: '1' });
    expect(km.faults.counts()).toEqual({ s: { delay: 1 } });
  });

  it('starts the call numbers again when a plan is set again', async () => {
    km.faults.set('e', { answers: [500] });
    await statusesOf(people(2));
    km.faults.set('e', { answers: [500] });
    expect(await statusesOf(people(2, 'q'))).toEqual([500, 200]);
  });

  it('lets a route plan win over the * plan, which covers every other route', async () => {
    km.faults.set('*', { answers: [503, 503, 503] });
    km.faults.set('e', { answers: ['ok', 500] });
    const statuses = await statusesOf([
      `${E}x`,
      'https://trk.kissmetrics.io/s?_k=key&_p=x&a=1',
      `${E}y`,
      'https://trk.kissmetrics.io/a?_k=key&_p=x&_n=y',
      'https://i.kissmetrics.io/i.js',
      'https://i.kissmetrics.io/i.js',
      'https://i.kissmetrics.io/i.js',
    ]);
    // /a keeps its own plan (from the options); s and js share the * script and its call numbers.
    expect(statuses).toEqual([200, 503, 500, 500, 503, 503, 200]);
  });

  it('counts injected faults per route and kind, and calls per route', async () => {
    km.faults.set('e', {
      answers: [503, 503, 'network-error', 'ok', { delayMs: 1 }, { status: 429 }],
    });
    await statusesOf(people(7));
    expect(km.faults.counts()).toEqual({
      e: { '503': 2, 'network-error': 1, delay: 1, '429': 1 },
    });
    expect(km.faults.calls('e')).toBe(7);
    expect(km.faults.calls('s')).toBe(0);
  });

  it('clears one plan or all, keeping the counters', async () => {
    km.faults.set('e', { rate: 1 });
    km.faults.set('s', { rate: 1 });
    await statusesOf([`${E}a`]);
    km.faults.clear('e');
    expect(await statusesOf([`${E}b`, 'https://trk.kissmetrics.io/s?_k=key&_p=b&a=1'])).toEqual([
      200, 503,
    ]);
    km.faults.clear();
    expect(await statusesOf(['https://trk.kissmetrics.io/s?_k=key&_p=b&a=1'])).toEqual([200]);
    expect(km.faults.counts()).toEqual({ e: { '503': 1 }, s: { '503': 1 } });
  });

  it('applies the plans of the faults option from the start and again after reset()', async () => {
    const alias = 'https://trk.kissmetrics.io/a?_k=key&_p=x&_n=y';
    expect(await statusesOf([alias, alias])).toEqual([500, 200]);
    km.faults.set('a', { rate: 1 });
    km.reset();
    expect(km.faults.counts()).toEqual({});
    expect(km.faults.calls('a')).toBe(0);
    expect(await statusesOf([alias, alias])).toEqual([500, 200]);
  });
});

describe('random failures', () => {
  async function pattern(seed: number, plan: FaultPlan, calls = 40) {
    const emulator = createKissmetricsEmulator({ seed, faults: { e: plan } });
    server.use(...emulator.handlers);
    try {
      return await statusesOf(people(calls));
    } finally {
      server.resetHandlers();
    }
  }

  it('fails at the given rate, reproducibly for a seed', async () => {
    const first = await pattern(7, { rate: 0.5 });
    const again = await pattern(7, { rate: 0.5 });
    const other = await pattern(8, { rate: 0.5 });
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 503]));
  });

  it('fails about rate x calls times', async () => {
    const emulator = createKissmetricsEmulator({ seed: 3, faults: { '*': { rate: 0.2 } } });
    server.use(...emulator.handlers);
    try {
      await statusesOf(people(500));
    } finally {
      server.resetHandlers();
    }
    const failures = emulator.faults.counts().e?.['503'] ?? 0;
    // Binomial(500, 0.2): mean 100, standard deviation ~9; 60-140 is over four deviations.
    expect(failures).toBeGreaterThan(60);
    expect(failures).toBeLessThan(140);
  });

  it('answers random failures with failWith, after the scripted answers', async () => {
    const statuses = await pattern(
      1,
      { answers: ['ok', 'ok'], rate: 1, failWith: 'network-error' },
      4,
    );
    expect(statuses).toEqual([200, 200, 'network-error', 'network-error']);
  });

  it('never fails at rate 0', async () => {
    expect(new Set(await pattern(1, { rate: 0 }))).toEqual(new Set([200]));
  });
});

describe('plan validation', () => {
  const invalid: [string, () => void, string][] = [
    ['a rate over 1', () => km.faults.set('e', { rate: 1.5 }), 'faults.e.rate'],
    [
      'a status that is not an HTTP error',
      () => km.faults.set('e', { answers: [99] }),
      'faults.e.answers[0]',
    ],
    [
      'a Retry-After that is neither seconds nor a date',
      () => km.faults.set('s', { answers: ['ok', { status: 429, retryAfter: new Date('nope') }] }),
      'faults.s.answers[1].retryAfter',
    ],
    [
      'a negative delay',
      () => km.faults.set('a', { answers: [{ delayMs: -1 }] }),
      'faults.a.answers[0].delayMs',
    ],
    [
      'an unknown fault',
      () => km.faults.set('e', { failWith: 'timeout' as never, rate: 1 }),
      'faults.e.failWith',
    ],
    ['an unknown route', () => km.faults.set('hit' as never, { rate: 1 }), 'route'],
    [
      'a bad plan in the faults option',
      () => createKissmetricsEmulator({ faults: { js: { rate: -1 } } }),
      'faults.js.rate',
    ],
  ];

  it.each(invalid)('refuses %s with an invalid_option error naming the field', (_, act, path) => {
    let error: unknown;
    try {
      act();
    } catch (caught) {
      error = caught;
    }
    expect(isKmValidationError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_option', path });
  });
});
