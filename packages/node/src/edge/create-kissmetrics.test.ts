import { fileURLToPath } from 'node:url';
import { createKissmetricsEmulator } from '@kmkit/msw';
import { build } from 'esbuild';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createKissmetrics } from './index.js';

const km = createKissmetricsEmulator({ apiKeys: ['key'] });
const server = setupServer(...km.handlers);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => km.reset());
afterAll(() => server.close());

describe('@kmkit/node/edge', () => {
  test('delivers over fetch to the default Kissmetrics endpoint', async () => {
    const client = createKissmetrics({ apiKey: 'key' });
    client.track({ userId: 'bob', event: 'Signed Up', timestamp: 1_700_000_000 });
    expect(await client.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0 });
    expect(km.person('bob')?.events).toEqual([
      { name: 'Signed Up', time: 1_700_000_000, properties: {} },
    ]);
    expect(km.requests()[0]?.url.startsWith('https://trk.kissmetrics.io/e?')).toBe(true);
  });

  test('retries through faults with the same engine as on Node', async () => {
    km.faults.set('e', { answers: [503, 'network-error'] });
    const client = createKissmetrics({ apiKey: 'key', retry: { baseDelayMs: 1, maxDelayMs: 2 } });
    const retries: string[] = [];
    client.on('retry', (event) => retries.push(event.reason));
    client.track({ userId: 'bob', event: 'Paid' });
    expect(await client.flush()).toMatchObject({ delivered: 1 });
    expect(retries).toEqual(['status', 'network']);
    expect(km.person('bob')?.events).toHaveLength(1);
  });

  test('waitUntil keeps the invocation alive until the flush is done (a Workers ctx.waitUntil)', async () => {
    const pending: Promise<unknown>[] = [];
    const ctx = { waitUntil: (promise: Promise<unknown>) => pending.push(promise) };
    const client = createKissmetrics({ apiKey: 'key', waitUntil: (p) => ctx.waitUntil(p) });
    client.page({ anonymousId: 'a-1', name: 'Pricing' });
    await Promise.all(pending);
    expect(km.person('a-1')?.events.map((event) => event.name)).toEqual(['Viewed Pricing page']);
  });

  test('checks its options as the Node entry does, and has no spool', () => {
    const create = createKissmetrics as (options?: unknown) => unknown;
    expect(() => create()).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: '', name: 'KmValidationError' }),
    );
    expect(() => create({ apikey: 'key' })).toThrow(
      'apikey is not an option of createKissmetrics: did you mean apiKey?',
    );
    expect(() => create({ apiKey: 'key', preset: 'segmnet' })).toThrow('did you mean "segment"?');
    expect(() => create({ apiKey: 'key', spool: { dir: '/tmp/km' } })).toThrow(
      expect.objectContaining({ code: 'invalid_option', path: 'spool' }),
    );
  });

  test('its bundle for a neutral platform has no node: module and no undici', async () => {
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
    expect(inputs.some((input) => input.includes('core/src/'))).toBe(true);
    expect(inputs.filter((input) => input.startsWith('node:') || input.includes('undici'))).toEqual(
      [],
    );
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/from ["']node:|require\(["']node:|["']undici["']/);
  });
});
