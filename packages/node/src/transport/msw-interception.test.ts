import { createKissmetricsEmulator } from '@kmkit/msw';
import { setupServer } from 'msw/node';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { startLoopbackServer } from '../../test/loopback-server.js';
import { createKissmetrics } from '../index.js';
import { isLoopbackUrl, mswInterceptsFetch } from './msw-interception.js';

// @kmkit/msw's README, with @kmkit/node: MSW started after the client is made, unhandled
// requests as errors. undici's pool is out of MSW's reach; the client must not be.
const km = createKissmetricsEmulator({ apiKeys: ['key'] });
const server = setupServer(...km.handlers);
const clients: { close(options: { timeoutMs: number }): Promise<unknown> }[] = [];

afterEach(async () => {
  server.close();
  km.reset();
  await Promise.all(clients.splice(0).map((client) => client.close({ timeoutMs: 50 })));
  vi.restoreAllMocks();
});

function client(options: Partial<Parameters<typeof createKissmetrics>[0]> = {}) {
  const created = createKissmetrics({
    apiKey: 'key',
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    ...options,
  });
  clients.push(created);
  return created;
}

describe('a client under msw/node', () => {
  test('MSW is seen while it listens, and only then', () => {
    expect(mswInterceptsFetch()).toBe(false);
    server.listen({ onUnhandledRequest: 'error' });
    expect(mswInterceptsFetch()).toBe(true);
    server.close();
    expect(mswInterceptsFetch()).toBe(false);
  });

  test("sends through MSW's fetch, so the emulator records what it sent", async () => {
    const sender = client(); // made before listen(), as at the top of a test file
    server.listen({ onUnhandledRequest: 'error' });
    sender.identify({ userId: 'bob', anonymousId: 'visitor-1', traits: { plan: 'pro' } });
    sender.track({ userId: 'bob', event: 'Signed Up', timestamp: 1_700_000_000 });
    expect(await sender.flush()).toEqual({ delivered: 3, failed: 0, dropped: 0 });
    expect(km.rejected()).toEqual([]);
    expect(km.person('visitor-1')).toEqual(km.person('bob')); // the identify's alias
    expect(km.person('bob')).toMatchObject({
      events: [{ name: 'Signed Up', time: 1_700_000_000, properties: {} }],
      properties: { plan: 'pro' },
    });
  });

  test('a request no handler answers fails loudly: MSW prints it and the client reports it', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    const sender = client({ endpoint: 'https://km-proxy.example.com' });
    server.listen({ onUnhandledRequest: 'error' });
    const retries: string[] = [];
    const errors: string[] = [];
    sender.on('retry', ({ reason }) => retries.push(reason));
    sender.on('error', ({ reason }) => errors.push(reason));
    sender.track({ userId: 'bob', event: 'Signed Up' });
    expect(await sender.flush()).toEqual({ delivered: 0, failed: 1, dropped: 0 });
    expect(retries).toEqual(['network']);
    expect(errors).toEqual(['max_attempts']);
    expect(String(printed.mock.calls[0])).toContain(
      'intercepted a request without a matching request handler',
    );
    expect(String(printed.mock.calls[0])).toContain('https://km-proxy.example.com/e?');
  });

  test('a dispatcher of your own is used as given, past MSW', async () => {
    const dispatcher = new MockAgent();
    dispatcher.disableNetConnect();
    const paths: string[] = [];
    dispatcher
      .get('https://trk.kissmetrics.io')
      .intercept({ path: () => true })
      .reply(({ path }) => {
        paths.push(path);
        return { statusCode: 200, data: '' };
      });
    const sender = client({ dispatcher });
    server.listen({ onUnhandledRequest: 'error' });
    sender.track({ userId: 'bob', event: 'Signed Up' });
    expect(await sender.flush()).toMatchObject({ delivered: 1 });
    expect(paths).toEqual([expect.stringMatching(/^\/e\?_k=key&_p=bob&_n=Signed%20Up&/)]);
    expect(km.requests()).toEqual([]);
    await dispatcher.close();
  });

  test('a loopback endpoint is a real server: reached through the pool, also while MSW listens', async () => {
    const loopback = await startLoopbackServer();
    const onLoopback = createKissmetricsEmulator({ apiKeys: ['key'], endpoints: [loopback.url] });
    loopback.use(onLoopback.handlers);
    try {
      const sender = client({ endpoint: loopback.url });
      server.listen({ onUnhandledRequest: 'error' });
      sender.track({ userId: 'bob', event: 'Signed Up' });
      expect(await sender.flush()).toMatchObject({ delivered: 1 });
      expect(onLoopback.person('bob')?.events).toHaveLength(1);
      expect(km.requests()).toEqual([]);
    } finally {
      await loopback.close();
    }
  });

  test('loopback URLs are told apart from the services MSW stands in for', () => {
    for (const url of [
      'http://127.0.0.1:4000/e',
      'http://127.1.2.3/e',
      'http://localhost:4000/km/e',
      'http://api.localhost/e',
      'http://[::1]:4000/e',
    ]) {
      expect(isLoopbackUrl(url)).toBe(true);
    }
    for (const url of [
      'https://trk.kissmetrics.io/e?_k=key',
      'https://127.0.0.1.example.com/e',
      'https://localhost.example.com/e',
      'http://10.0.0.1/e',
    ]) {
      expect(isLoopbackUrl(url)).toBe(false);
    }
  });

  test('once MSW stops, the client sends through its own pool again', async () => {
    const loopback = await startLoopbackServer();
    const onLoopback = createKissmetricsEmulator({ apiKeys: ['key'], endpoints: [loopback.url] });
    loopback.use(onLoopback.handlers);
    try {
      const sender = client({ endpoint: loopback.url });
      server.listen({ onUnhandledRequest: 'error' });
      server.close();
      sender.track({ userId: 'bob', event: 'Signed Up' });
      expect(await sender.flush()).toMatchObject({ delivered: 1 });
      expect(onLoopback.person('bob')?.events).toHaveLength(1);
      expect(loopback.connections()).toBe(1);
    } finally {
      await loopback.close();
    }
  });
});
