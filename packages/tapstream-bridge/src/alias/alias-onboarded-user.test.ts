import { KmValidationError, parseTrackingRequest } from '@kmkit/core';
import { createKissmetricsEmulator } from '@kmkit/msw';
import { afterEach, describe, expect, test } from 'vitest';
import { instantScheduler } from '../../test/scheduler.js';
import { interceptedFetch, useServer } from '../../test/server.js';
import { KmBridgeError } from '../errors/index.js';
import { type AliasOnboardedUserOptions, aliasOnboardedUser } from './alias-onboarded-user.js';
import { type AliasStore, aliasKey, createMemoryAliasStore } from './alias-store.js';

const API_KEY = 'km-key';
const km = createKissmetricsEmulator({
  apiKeys: [API_KEY],
  endpoints: ['https://example.com/km'],
});
useServer(...km.handlers);
afterEach(() => km.reset());

// A Kissmetrics anonymous id: '+', '/' and '=' must survive the trip.
const VISITOR = 'Xk3+a/bQ9w==';
const TIMELINE = {
  hits: [{ tracker: 'javascript_tracker', custom_parameters: { km_identity: VISITOR } }],
  events: [{ name: 'ios-myapp-install' }],
};

// Some cases pass what the types refuse (timeline and kmIdentity both), to test the checks.
function options(extra: Partial<AliasOnboardedUserOptions> = {}): AliasOnboardedUserOptions {
  return {
    apiKey: API_KEY,
    namedIdentity: 'bob@example.com',
    store: createMemoryAliasStore(),
    timeline: TIMELINE,
    fetch: interceptedFetch,
    scheduler: instantScheduler(),
    ...extra,
  } as AliasOnboardedUserOptions;
}

describe('aliasOnboardedUser', () => {
  test('sends /a with _k, _p = km_identity and _n = the named identity, and joins the two', async () => {
    const result = await aliasOnboardedUser(options());
    expect(result).toEqual({
      outcome: 'aliased',
      kmIdentity: VISITOR,
      namedIdentity: 'bob@example.com',
    });
    expect(km.requests()).toHaveLength(1);
    const [request] = km.requests();
    expect(request).toMatchObject({ method: 'GET', path: '/a', status: 'accepted' });
    expect(request!.params).toEqual({ _k: API_KEY, _p: VISITOR, _n: 'bob@example.com' });
    // Every reserved character was percent-encoded on the wire.
    expect(request!.url).toContain('_p=Xk3%2Ba%2FbQ9w%3D%3D');
    expect(request!.url).toContain('_n=bob%40example.com');
    expect(km.person(VISITOR)?.identities).toEqual([VISITOR, 'bob@example.com']);
  });

  test('a second call for the same pair is already-aliased and sends nothing', async () => {
    const store = createMemoryAliasStore();
    await aliasOnboardedUser(options({ store }));
    const again = await aliasOnboardedUser(options({ store }));
    expect(again.outcome).toBe('already-aliased');
    expect(km.requests()).toHaveLength(1);
    expect(store.entries().map(([key]) => key)).toEqual([aliasKey(VISITOR, 'bob@example.com')]);
  });

  test('two calls at once for the same pair send one alias', async () => {
    const store = createMemoryAliasStore();
    const results = await Promise.all([
      aliasOnboardedUser(options({ store })),
      aliasOnboardedUser(options({ store })),
    ]);
    expect(results.map((result) => result.outcome).sort()).toEqual(['aliased', 'already-aliased']);
    expect(km.requests()).toHaveLength(1);
  });

  test('another named identity on the same device is another pair, aliased too', async () => {
    const store = createMemoryAliasStore();
    await aliasOnboardedUser(options({ store }));
    expect(
      (await aliasOnboardedUser(options({ store, namedIdentity: 'alice@example.com' }))).outcome,
    ).toBe('aliased');
    expect(km.requests().map((request) => request.params._n)).toEqual([
      'bob@example.com',
      'alice@example.com',
    ]);
  });

  test('takes the identity as kmIdentity too', async () => {
    const result = await aliasOnboardedUser(options({ timeline: undefined, kmIdentity: 'web-7' }));
    expect(result.outcome).toBe('aliased');
    expect(km.person('bob@example.com')?.identities).toEqual(['web-7', 'bob@example.com']);
  });

  test.each([
    ['no timeline yet', { timeline: [] }],
    ['an empty body', { timeline: '' }],
    ['a hit without km_identity', { timeline: { hits: [{ custom_parameters: {} }], events: [] } }],
    ['a null kmIdentity', { timeline: undefined, kmIdentity: null }],
    ['an empty kmIdentity', { timeline: undefined, kmIdentity: ' ' }],
    ['an "undefined" kmIdentity', { timeline: undefined, kmIdentity: 'undefined' }],
  ])('with %s the outcome is no-identity and nothing is sent or remembered', async (_, extra) => {
    const store = createMemoryAliasStore();
    const result = await aliasOnboardedUser(options({ store, ...extra }));
    expect(result).toEqual({ outcome: 'no-identity', namedIdentity: 'bob@example.com' });
    expect(km.requests()).toEqual([]);
    expect(store.entries()).toEqual([]);
  });

  test.each([[''], ['  '], ['guest'], ['Guest'], [' ANONYMOUS '], ['null'], ['undefined']])(
    'refuses the generic named identity %j before anything is sent',
    async (namedIdentity) => {
      const error = await aliasOnboardedUser(options({ namedIdentity })).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(KmValidationError);
      expect(error).toMatchObject({ code: 'generic_identity', path: 'namedIdentity' });
      expect((error as Error).message).toMatch(/irreversible/);
      expect(km.requests()).toEqual([]);
    },
  );

  test('refuses aliasing the visitor to itself', async () => {
    const error = await aliasOnboardedUser(options({ namedIdentity: VISITOR })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'self_alias', path: 'namedIdentity' });
    expect(km.requests()).toEqual([]);
  });

  test('refuses a named identity over 255 characters', async () => {
    const error = await aliasOnboardedUser(options({ namedIdentity: 'n'.repeat(256) })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'name_too_long', path: 'namedIdentity' });
  });

  test.each([
    [{ apiKey: '' }, 'apiKey'],
    [{ store: undefined }, 'store'],
    [{ store: { get: () => null } }, 'store'],
    [{ kmIdentity: 'x' }, 'kmIdentity'],
    [{ endpoint: 'not a url' }, 'endpoint'],
    [{ namedIdentity: 42 }, 'namedIdentity'],
  ])('refuses %j naming %s', async (override, path) => {
    const error = await aliasOnboardedUser(options(override as never)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(KmValidationError);
    expect(error).toMatchObject({ path });
    expect(km.requests()).toEqual([]);
  });

  test('retries 5xx and network errors with the retry policy, then remembers', async () => {
    km.faults.set('a', { answers: [503, 'network-error', 500] });
    const scheduler = instantScheduler();
    const store = createMemoryAliasStore();
    const result = await aliasOnboardedUser(options({ store, scheduler }));
    expect(result.outcome).toBe('aliased');
    expect(km.faults.calls('a')).toBe(4);
    // Full jitter at random 0.5 over windows of 500, 1000 and 2000 ms (core's default policy);
    // the zero wait is the queue's close once all is done.
    expect(scheduler.waits.filter((ms) => ms > 0)).toEqual([250, 500, 1000]);
    expect(km.requests()).toHaveLength(1);
    expect(store.entries()).toHaveLength(1);
  });

  test('an alias never acknowledged is not remembered, so the next launch sends it', async () => {
    const store = createMemoryAliasStore();
    km.faults.set('a', { answers: ['network-error', 'network-error'] });
    const error = await aliasOnboardedUser(options({ store, retry: { maxAttempts: 2 } })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(KmBridgeError);
    expect(error).toMatchObject({ code: 'alias_not_delivered', path: 'endpoint' });
    expect((error as Error).message).toMatch(/next call sends it again/);
    expect(store.entries()).toEqual([]);
    expect(km.people()).toEqual([]);

    // The next launch: same store, Kissmetrics reachable.
    expect((await aliasOnboardedUser(options({ store }))).outcome).toBe('aliased');
    expect(km.person('bob@example.com')?.identities).toEqual([VISITOR, 'bob@example.com']);
  });

  test('a final status (a proxy answering 404) fails at once with the status', async () => {
    km.faults.set('a', { answers: [404] });
    const error = await aliasOnboardedUser(options()).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'alias_not_delivered', status: 404 });
    expect(km.faults.calls('a')).toBe(1);
  });

  test('works with an asynchronous store, like AsyncStorage', async () => {
    const saved = new Map<string, string>();
    const store: AliasStore = {
      get: async (key) => saved.get(key) ?? null,
      set: async (key, value) => {
        saved.set(key, value);
      },
    };
    expect((await aliasOnboardedUser(options({ store }))).outcome).toBe('aliased');
    expect((await aliasOnboardedUser(options({ store }))).outcome).toBe('already-aliased');
    expect(km.requests()).toHaveLength(1);
    expect(new Date(saved.get(aliasKey(VISITOR, 'bob@example.com'))!).getTime()).not.toBeNaN();
  });

  test('a store that cannot be read fails with store_failed and sends nothing', async () => {
    const store: AliasStore = {
      get: () => {
        throw new Error('disk');
      },
      set: () => undefined,
    };
    const error = await aliasOnboardedUser(options({ store })).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'store_failed', path: 'store' });
    expect(km.requests()).toEqual([]);
  });

  test('a store that cannot be written reports it after the alias was delivered', async () => {
    const store: AliasStore = {
      get: () => null,
      set: async () => {
        throw new Error('quota');
      },
    };
    const error = await aliasOnboardedUser(options({ store })).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'store_failed' });
    expect((error as Error).message).toMatch(/delivered but could not be remembered/);
    expect(km.person(VISITOR)?.identities).toContain('bob@example.com');
  });

  test('reads the latest hit with extract.hit and sends through a proxy endpoint', async () => {
    const timeline = {
      hits: [
        { custom_parameters: { km_identity: 'older' } },
        { custom_parameters: { km_identity: 'newer' } },
      ],
      events: [],
    };
    await aliasOnboardedUser(
      options({ timeline, extract: { hit: 'latest' }, endpoint: 'https://example.com/km' }),
    );
    const [request] = km.requests();
    expect(request!.url.startsWith('https://example.com/km/a?')).toBe(true);
    expect(parseTrackingRequest(request!).params._p).toBe('newer');
  });
});
