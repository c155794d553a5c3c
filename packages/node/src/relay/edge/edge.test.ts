import { fileURLToPath } from 'node:url';
import { createKissmetricsEmulator } from '@kmkit/msw';
import { build } from 'esbuild';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createKissmetricsRelay } from './index.js';

const km = createKissmetricsEmulator({ apiKeys: ['key'] });
const server = setupServer(...km.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => km.reset());
afterAll(() => server.close());

describe('@kmkit/node/relay on fetch-only runtimes', () => {
  test('a Worker-style handler answers 200 once queued, and waitUntil carries delivery', async () => {
    const pending: Promise<unknown>[] = [];
    const relay = createKissmetricsRelay({
      apiKey: 'key',
      trustedProxies: 1,
      waitUntil: (promise) => pending.push(promise),
    });
    const answer = await relay.handle(
      new Request('https://www.example.com/km/e?_k=key&_p=bob&_n=Signed%20Up&_t=1714564800&_d=1', {
        headers: { 'x-forwarded-for': '203.0.113.7', 'user-agent': 'Safari' },
      }),
    );
    expect(answer.status).toBe(200);
    await Promise.all(pending);
    expect(km.requests().map((request) => [request.params._n, request.params._ip])).toEqual([
      ['Signed Up', '203.0.113.7'],
    ]);
  });

  test('refuses a spool: there is no local disk to keep one on', () => {
    expect(() =>
      // The type refuses a spool too (see type-tests/); this is the run-time check.
      createKissmetricsRelay({ apiKey: 'key', spool: { dir: '/tmp/x' } } as never),
    ).toThrow(expect.objectContaining({ code: 'invalid_option', path: 'spool' }));
  });

  test('its bundle for a neutral platform has no node: module, no undici and no prom-client', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./index.ts', import.meta.url))],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'neutral',
      format: 'esm',
      conditions: ['@kmkit/source'],
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.includes('relay/create-relay'))).toBe(true);
    expect(inputs.filter((input) => /^node:|undici|prom-client|spool/.test(input))).toEqual([]);
  });
});
