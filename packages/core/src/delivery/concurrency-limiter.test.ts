import { describe, expect, test } from 'vitest';
import {
  type ConcurrencyLimiter,
  createConcurrencyLimiter,
  type LimiterOutcome,
} from './concurrency-limiter.js';

// One round trip: a window's worth of requests sent, then all answered the same way.
function roundTrip(
  limiter: ConcurrencyLimiter,
  at: number,
  {
    outcome = 'healthy' as LimiterOutcome,
    roundTripMs = 80,
    waiting = true,
    answers = limiter.limit(),
  } = {},
) {
  const sent = Array.from({ length: answers }, () => limiter.sent());
  for (const seq of sent) {
    limiter.answered({
      seq,
      outcome,
      waiting,
      at,
      // Requests wait, so each answer's slot is refilled at once: as many in flight as allowed.
      inFlight: waiting ? limiter.limit() : answers,
      ...(outcome === 'healthy' ? { roundTripMs } : {}),
    });
  }
  return limiter.limit();
}

function windows(limiter: ConcurrencyLimiter, rounds: number, options = {}) {
  return Array.from({ length: rounds }, (_, n) => roundTrip(limiter, n * 80, options));
}

// A limiter past its first round trip, which only sets the base latency.
function started(options: { initial: number; max: number }, roundTripMs = 80) {
  const limiter = createConcurrencyLimiter(options);
  roundTrip(limiter, -80, { roundTripMs });
  return limiter;
}

describe('the concurrency window', () => {
  test('the window holds through the first round trip: connections opening and code loading set the base, nothing is judged', () => {
    const limiter = createConcurrencyLimiter({ initial: 8, max: 100 });
    expect(roundTrip(limiter, 0, { roundTripMs: 900 })).toBe(8);
  });

  test('slow start doubles it every round trip while requests wait, up to max', () => {
    const limiter = started({ initial: 8, max: 100 });
    expect(windows(limiter, 5)).toEqual([16, 32, 64, 100, 100]);
  });

  test('it never grows while no request waits for a slot', () => {
    const limiter = started({ initial: 8, max: 100 });
    expect(windows(limiter, 3, { waiting: false })).toEqual([8, 8, 8]);
  });

  test('a round trip with more than one answer in eight failed ends slow start: then +1/8 a round trip', () => {
    const limiter = started({ initial: 16, max: 1000 });
    // 4 of 16 failed (half a slot each, but never below the initial 16), 12 healthy (+1 each).
    const sent = Array.from({ length: 16 }, () => limiter.sent());
    for (const [index, seq] of sent.entries()) {
      const outcome = index < 4 ? 'failed' : 'healthy';
      limiter.answered({ seq, outcome, roundTripMs: 80, waiting: true, inFlight: 16, at: 0 });
    }
    expect(limiter.limit()).toBe(28);
    // That round trip ends with the next answer, and slow start with it: from there each healthy
    // answer adds 1/8, +12.5% a round trip.
    expect(windows(limiter, 4)).toEqual([31, 35, 39, 44]);
  });

  test('failures take half a slot each, down to the initial window and no further', () => {
    const limiter = started({ initial: 8, max: 100 });
    windows(limiter, 3); // 64
    expect(roundTrip(limiter, 300, { outcome: 'failed' })).toBe(32);
    expect(roundTrip(limiter, 400, { outcome: 'failed' })).toBe(16);
    expect(roundTrip(limiter, 500, { outcome: 'failed' })).toBe(8);
    expect(roundTrip(limiter, 600, { outcome: 'failed' })).toBe(8);
  });

  test('rate limits (429, Retry-After) take it below the initial window, down to 1', () => {
    const limiter = started({ initial: 8, max: 100 });
    expect(roundTrip(limiter, 0, { outcome: 'limited' })).toBe(4);
    expect(roundTrip(limiter, 80, { outcome: 'limited' })).toBe(2);
    expect(roundTrip(limiter, 160, { outcome: 'limited' })).toBe(1);
    expect(roundTrip(limiter, 240, { outcome: 'limited' })).toBe(1);
  });

  test('a limit when the window had room the traffic never used shrinks it from what is in flight', () => {
    const limiter = started({ initial: 8, max: 1000 });
    windows(limiter, 6); // 512, earned by a burst
    // Later only 100 are in flight (the traffic needs no more) when a 429 comes back.
    limiter.answered({
      seq: limiter.sent(),
      outcome: 'limited',
      waiting: false,
      inFlight: 100,
      at: 600,
    });
    expect(limiter.limit()).toBe(99);
  });

  test('scattered rate limits only nibble: 3% of answers limited still lets it grow', () => {
    const limiter = started({ initial: 32, max: 512 });
    let answered = 0;
    for (let round = 0; round < 12; round++) {
      const sent = Array.from({ length: limiter.limit() }, () => limiter.sent());
      for (const seq of sent) {
        const limited = answered++ % 33 === 0;
        limiter.answered({
          seq,
          outcome: limited ? 'limited' : 'healthy',
          roundTripMs: 80,
          waiting: true,
          inFlight: limiter.limit(),
          at: round * 80,
        });
      }
    }
    expect(limiter.limit()).toBe(512);
  });

  test('a round trip whose quickest answer took over twice the base is queueing: it shrinks back to the initial window', () => {
    const limiter = started({ initial: 8, max: 100 });
    expect(windows(limiter, 3)).toEqual([16, 32, 64]);
    // The endpoint queues: 200 ms instead of 80. Growth stops and each answer takes 1/8 off.
    const slow = Array.from({ length: 20 }, (_, n) =>
      roundTrip(limiter, 1000 + n * 200, { roundTripMs: 200 }),
    );
    expect(slow[0]).toBeGreaterThan(64); // that round trip's answers came before it was seen
    expect(slow.slice(1)).toEqual([...slow.slice(1)].sort((a, b) => b - a));
    expect(slow.at(-1)).toBe(8);
    expect(roundTrip(limiter, 4000, { roundTripMs: 250 })).toBe(8); // never below the start
  });

  test('on loopback, sub-millisecond round trips that triple are noise, not a queue', () => {
    const limiter = started({ initial: 8, max: 100 }, 0.2);
    expect(windows(limiter, 3, { roundTripMs: 0.6 })).toEqual([16, 32, 64]);
  });

  test('after slow start ends on a queue, one round trip at the initial window re-measures the base', () => {
    const limiter = started({ initial: 8, max: 1000 });
    // A process starting up: everything takes 60 ms, the window grows on it unchecked.
    expect(windows(limiter, 4, { roundTripMs: 60 })).toEqual([16, 32, 64, 128]);
    // Then a queue shows (150 ms; a round trip ends with the next one's first answer): slow start
    // ends, and the next round trip goes at the initial window.
    roundTrip(limiter, 400, { roundTripMs: 150 });
    roundTrip(limiter, 550, { roundTripMs: 150 });
    expect(limiter.limit()).toBe(8);
    // At 8 in flight the endpoint answers in 5 ms: that is its base latency. (A 429 meanwhile is
    // not taken for room the traffic left unused: that room is the probe's.)
    limiter.answered({ seq: 0, outcome: 'limited', waiting: true, inFlight: 8, at: 555 });
    expect(roundTrip(limiter, 560, { roundTripMs: 5 })).toBeGreaterThan(100);
    // So 60 ms at the grown window is a queue of this client's making: back down to the start.
    const after = Array.from({ length: 40 }, (_, n) =>
      roundTrip(limiter, 600 + n * 60, { roundTripMs: 60 }),
    );
    expect(after.at(-1)).toBe(8);
  });

  test('restart() probes with one request, then slow start climbs back to where it was, however many restarts', () => {
    const limiter = started({ initial: 8, max: 100 });
    windows(limiter, 2); // 32
    roundTrip(limiter, 200, { outcome: 'limited' }); // 16: the run of 429s before the pause
    limiter.restart();
    expect(limiter.limit()).toBe(1);
    roundTrip(limiter, 1200, { outcome: 'limited' }); // the probe: still limited, paused again
    limiter.restart();
    // The 429s of what was still in flight come back.
    roundTrip(limiter, 1300, { outcome: 'limited', answers: 10 });
    expect(limiter.limit()).toBe(1);
    expect(windows(limiter, 6)).toEqual([2, 4, 8, 16, 32, 36]);
  });
});
