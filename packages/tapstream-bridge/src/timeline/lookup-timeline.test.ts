import { KmValidationError } from '@kmkit/core';
import { createTapstreamEmulator } from '@kmkit/msw';
import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, test } from 'vitest';
import { instantScheduler, manualClock } from '../../test/scheduler.js';
import { interceptedFetch, useServer } from '../../test/server.js';
import { fireWebHit, sendAppEvent } from '../../test/tapstream-sdk.js';
import { KmBridgeError } from '../errors/index.js';
import { lookupTimeline } from './lookup-timeline.js';

const ACCOUNT = { name: 'acme', secret: 'sdk-secret' };
const clock = manualClock();
const ts = createTapstreamEmulator({ accounts: [ACCOUNT], now: clock.now });
const server = useServer(...ts.handlers);
afterEach(() => {
  ts.reset();
  server.resetHandlers();
});

const UUID = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';

/** A visitor's hit on timeline `tl-1` with `km_identity`, and the app's install event. */
async function visitAndInstall(kmIdentity = 'visitor+1/x=') {
  await fireWebHit({
    account: 'acme',
    timeline: 'tl-1',
    customParameters: { km_identity: kmIdentity },
  });
  await sendAppEvent({
    ...ACCOUNT,
    account: 'acme',
    uuid: UUID,
    name: 'ios-myapp-install',
    createdMs: clock.now(),
  });
}

/** Lookup options whose waits move the emulator's clock instead of real time. */
function polling(extra: Partial<Parameters<typeof lookupTimeline>[0]> = {}) {
  const scheduler = instantScheduler({ onWait: clock.advance, waitUpTo: 5000 });
  return {
    scheduler,
    options: {
      secret: ACCOUNT.secret,
      eventSession: UUID,
      scheduler,
      fetch: interceptedFetch,
      ...extra,
    },
  };
}

describe('lookupTimeline', () => {
  test('answers the attributed timeline: its hits with km_identity and the app events', async () => {
    await visitAndInstall();
    ts.attribute(UUID, 'tl-1');
    const { options } = polling();
    const timeline = await lookupTimeline(options);
    expect(timeline?.hits).toHaveLength(1);
    expect(timeline?.hits[0]).toMatchObject({
      tracker: 'javascript_tracker',
      custom_parameters: { km_identity: 'visitor+1/x=' },
    });
    expect(timeline?.events.map((event) => event.name)).toEqual(['ios-myapp-install']);
  });

  test('polls about once a second while Tapstream answers "not yet", and stops at the answer', async () => {
    await visitAndInstall();
    // Tapstream takes 3.5 s to attribute: attempts at 0, 1, 2 and 3 s see [], the one at 4 s the answer.
    ts.attribute(UUID, 'tl-1', { delayMs: 3500 });
    const { options, scheduler } = polling();
    const requests: string[] = [];
    server.events.on('request:start', ({ request }) => {
      requests.push(request.url);
    });
    const timeline = await lookupTimeline(options);
    server.events.removeAllListeners();
    expect(timeline?.hits).toHaveLength(1);
    expect(scheduler.waits).toEqual([1000, 1000, 1000, 1000]);
    expect(requests).toHaveLength(5);
    expect(new URL(requests[0]!).searchParams.get('event_session')).toBe(UUID);
    expect(new URL(requests[0]!).searchParams.get('secret')).toBe('sdk-secret');
    expect(new URL(requests[0]!).searchParams.has('blocking')).toBe(false);
  });

  test('resolves undefined when every attempt said "not yet" (an organic install)', async () => {
    await sendAppEvent({
      ...ACCOUNT,
      account: 'acme',
      uuid: UUID,
      name: 'ios-myapp-install',
      createdMs: clock.now(),
    });
    const { options, scheduler } = polling({ attempts: 4 });
    expect(await lookupTimeline(options)).toBeUndefined();
    expect(scheduler.waits).toEqual([1000, 1000, 1000]);
  });

  test.each([
    ['an empty body', () => new HttpResponse('', { status: 200 })],
    ['[]', () => HttpResponse.json([])],
    ['no hits', () => HttpResponse.json({ hits: [], events: [] })],
  ])('takes %s as "not yet"', async (_, answer) => {
    server.use(http.get('https://reporting.tapstream.com/v1/timelines/lookup', answer));
    const { options } = polling({ attempts: 2 });
    expect(await lookupTimeline(options)).toBeUndefined();
  });

  test('with blocking it asks Tapstream to hold the request, once', async () => {
    const seen: string[] = [];
    server.use(
      http.get('https://reporting.tapstream.com/v1/timelines/lookup', ({ request }) => {
        seen.push(request.url);
        return HttpResponse.json([]);
      }),
    );
    const { options } = polling({ blocking: true });
    expect(await lookupTimeline(options)).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(new URL(seen[0]!).searchParams.get('blocking')).toBe('true');
  });

  test('a blocking lookup against the emulator answers once the attribution lands', async () => {
    await visitAndInstall('blocked-visitor');
    ts.attribute(UUID, 'tl-1');
    const timeline = await lookupTimeline({
      secret: ACCOUNT.secret,
      eventSession: UUID,
      blocking: true,
    });
    expect(timeline?.hits[0]?.custom_parameters?.km_identity).toBe('blocked-visitor');
  });

  test('a wrong secret is final: one request, lookup_rejected with the status', async () => {
    const { options } = polling({ secret: 'wrong' });
    const error = await lookupTimeline(options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KmBridgeError);
    expect(error).toMatchObject({ code: 'lookup_rejected', status: 403, path: 'secret' });
    expect(ts.faults.calls('lookup')).toBe(1);
  });

  test('5xx, 429 and network errors are retried within the attempts', async () => {
    await visitAndInstall();
    ts.attribute(UUID, 'tl-1');
    ts.faults.set('lookup', { answers: [503, 'network-error', { status: 429, retryAfter: '3' }] });
    const { options, scheduler } = polling();
    const timeline = await lookupTimeline(options);
    expect(timeline?.hits).toHaveLength(1);
    // The wait after the 429 honours its Retry-After.
    expect(scheduler.waits).toEqual([1000, 1000, 3000]);
  });

  test('fails with lookup_failed when the last attempt failed', async () => {
    ts.faults.set('lookup', { answers: [503, 503, 500] });
    const { options } = polling({ attempts: 3 });
    const error = await lookupTimeline(options).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'lookup_failed', status: 500 });
    expect((error as Error).message).toMatch(/3 attempts/);
  });

  test('an answer that is not JSON is retried, then reported', async () => {
    server.use(
      http.get('https://reporting.tapstream.com/v1/timelines/lookup', () =>
        HttpResponse.text('<html>proxy login</html>'),
      ),
    );
    const { options } = polling({ attempts: 2 });
    const error = await lookupTimeline(options).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'lookup_failed' });
    expect((error as Error).message).toMatch(/not JSON/);
  });

  test('a request without an answer is aborted after timeoutMs and counted as failed', async () => {
    let aborted = 0;
    const hung: typeof fetch = (_input, init) =>
      new Promise((_, reject) => {
        init?.signal?.addEventListener('abort', () => {
          aborted++;
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    // Every wait ends at once, the per-request timeout included.
    const scheduler = instantScheduler({ waitUpTo: Number.POSITIVE_INFINITY });
    const error = await lookupTimeline({
      secret: ACCOUNT.secret,
      eventSession: UUID,
      attempts: 2,
      timeoutMs: 7000,
      fetch: hung,
      scheduler,
    }).catch((caught: unknown) => caught);
    expect(aborted).toBe(2);
    expect(error).toMatchObject({ code: 'lookup_failed' });
    expect((error as Error).message).toMatch(/no answer within 7000 ms/);
  });

  test('an aborted signal stops the lookup with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('screen closed');
    const scheduler = instantScheduler({
      onWait: () => controller.abort(reason),
    });
    const lookup = lookupTimeline({
      secret: ACCOUNT.secret,
      eventSession: UUID,
      scheduler,
      fetch: interceptedFetch,
      signal: controller.signal,
    });
    await expect(lookup).rejects.toBe(reason);
    expect(ts.faults.calls('lookup')).toBe(1);
  });

  test('a custom endpoint is used with its path', async () => {
    const seen: string[] = [];
    server.use(
      http.get('https://proxy.example.com/ts/v1/timelines/lookup', ({ request }) => {
        seen.push(request.url);
        return HttpResponse.json({ hits: [{ custom_parameters: { km_identity: 'p' } }] });
      }),
    );
    const timeline = await lookupTimeline({
      secret: 's',
      eventSession: 'u',
      endpoint: 'https://proxy.example.com/ts/',
    });
    expect(timeline).toEqual({ hits: [{ custom_parameters: { km_identity: 'p' } }], events: [] });
    expect(seen).toEqual([
      'https://proxy.example.com/ts/v1/timelines/lookup?secret=s&event_session=u',
    ]);
  });

  test.each([
    [{ secret: '' }, 'secret'],
    [{ eventSession: undefined }, 'eventSession'],
    [{ attempts: 0 }, 'attempts'],
    [{ intervalMs: -1 }, 'intervalMs'],
    [{ endpoint: 'reporting.tapstream.com' }, 'endpoint'],
  ])('refuses %j naming %s', async (override, path) => {
    const error = await lookupTimeline({
      secret: 's',
      eventSession: 'u',
      ...override,
    } as never).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KmValidationError);
    expect(error).toMatchObject({ code: 'invalid_option', path });
  });
});
