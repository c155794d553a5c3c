import { toTrackingRequest } from '@kmkit/core';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type EmulatedEndpoint, startEmulatedEndpoint } from '../../test/emulated-endpoint.js';
import { startSilentServer, unusedLoopbackUrl } from '../../test/loopback-server.js';
import { createNodeTransport, supportsUndici } from './node-transport.js';
import type { RequestDispatcher } from './request-dispatcher.js';

let endpoint: EmulatedEndpoint;
const signal = () => new AbortController().signal;
beforeAll(async () => {
  endpoint = await startEmulatedEndpoint({ apiKeys: ['key'] });
});
afterEach(() => endpoint.km.reset());
afterAll(() => endpoint.close());

function record(person: string, event: string, base = endpoint.url) {
  return toTrackingRequest(
    { type: 'record', person, event, time: 1_700_000_000, properties: { plan: 'pro' } },
    { apiKey: 'key', endpoint: base },
  );
}

describe('the undici transport', () => {
  test('sends a GET that Kissmetrics records, and reports the 200', async () => {
    const transport = createNodeTransport();
    const response = await transport.send(record('bob', 'Signed Up'), signal());
    expect(response).toEqual({ status: 200, retryAfter: null });
    expect(transport.kind()).toBe('undici');
    expect(endpoint.km.person('bob')?.events).toEqual([
      { name: 'Signed Up', time: 1_700_000_000, properties: { plan: 'pro' } },
    ]);
    await transport.close();
  });

  test('sends a long request as a form-encoded POST with the same parameters', async () => {
    const transport = createNodeTransport();
    const request = toTrackingRequest(
      {
        type: 'set',
        person: 'bob',
        time: 1_700_000_000,
        properties: {
          bio: 'x'.repeat(500),
          quote: 'y'.repeat(500),
          notes: 'z'.repeat(500),
          tag: 'w'.repeat(500),
          more: 'v'.repeat(100),
        },
      },
      { apiKey: 'key', endpoint: endpoint.url },
    );
    expect(request.method).toBe('POST');
    expect((await transport.send(request, signal())).status).toBe(200);
    expect(endpoint.km.person('bob')?.properties).toMatchObject({
      bio: 'x'.repeat(500),
      more: 'v'.repeat(100),
    });
    expect(endpoint.km.rejected()).toEqual([]);
    await transport.close();
  });

  test('keeps connections alive: 200 sequential requests share one connection', async () => {
    const transport = createNodeTransport({ connections: 1 });
    const before = endpoint.server.connections();
    for (let i = 0; i < 200; i++) await transport.send(record(`p${i}`, 'Seen'), signal());
    expect(endpoint.server.connections() - before).toBe(1);
    await transport.close();
  });

  test('never opens more connections than asked, however many requests run at once', async () => {
    const transport = createNodeTransport({ connections: 3 });
    const before = endpoint.server.connections();
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => transport.send(record(`p${i}`, 'Seen'), signal())),
    );
    expect(endpoint.server.connections() - before).toBe(3);
    expect(endpoint.km.requests()).toHaveLength(60);
    await transport.close();
  });

  test('reports the status and Retry-After of a refused request', async () => {
    endpoint.km.faults.set('e', { answers: [{ status: 429, retryAfter: 7 }] });
    const transport = createNodeTransport();
    expect(await transport.send(record('bob', 'Seen'), signal())).toEqual({
      status: 429,
      retryAfter: '7',
    });
    await transport.close();
  });

  test('rejects when the connection is reset', async () => {
    endpoint.km.faults.set('e', { answers: ['network-error'] });
    const transport = createNodeTransport();
    await expect(transport.send(record('bob', 'Seen'), signal())).rejects.toThrow();
    // The pool recovers: the next request goes through on a new connection.
    expect((await transport.send(record('bob', 'Seen'), signal())).status).toBe(200);
    await transport.close();
  });

  test('rejects when nothing listens at the endpoint', async () => {
    const transport = createNodeTransport();
    await expect(
      transport.send(record('bob', 'Seen', await unusedLoopbackUrl()), signal()),
    ).rejects.toThrow();
    await transport.close();
  });

  test('an abort (the engine timeout or close) ends a request the server never answers', async () => {
    const silent = await startSilentServer();
    const transport = createNodeTransport();
    const controller = new AbortController();
    const sending = transport.send(record('bob', 'Seen', silent.url), controller.signal);
    while (silent.requests() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(new Error('timed out'));
    await expect(sending).rejects.toThrow();
    await transport.destroy();
    await silent.close();
  });

  test('start() aborts a request the server never answers, without an AbortSignal', async () => {
    const silent = await startSilentServer();
    const transport = createNodeTransport();
    const started = transport.start!(record('bob', 'Seen', silent.url));
    while (silent.requests() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    started.abort(new Error('timed out'));
    await expect(started.response).rejects.toThrow('timed out');
    await transport.destroy();
    await silent.close();
  });

  test('start() aborted before its request has a connection never sends it', async () => {
    const silent = await startSilentServer();
    // One connection, held by a request the server never answers: the second waits in the pool.
    const transport = createNodeTransport({ connections: 1 });
    const first = transport.start!(record('alice', 'Seen', silent.url));
    const second = transport.start!(record('bob', 'Seen', silent.url));
    while (silent.requests() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    second.abort(Symbol('cancelled'));
    await expect(second.response).rejects.toThrow('the request was aborted');
    first.abort(new Error('timed out'));
    await expect(first.response).rejects.toThrow('timed out');
    // The connection is free again: the aborted request is still not sent at its turn.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(silent.requests()).toBe(1);
    await transport.destroy();
    await silent.close();
  });

  test('start() aborted while undici is still loading sends nothing', async () => {
    const silent = await startSilentServer();
    const transport = createNodeTransport();
    // The first call of a new transport loads undici first: abort before that is done.
    const started = transport.start!(record('bob', 'Seen', silent.url));
    started.abort(new Error('closed'));
    await expect(started.response).rejects.toThrow('closed');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(silent.requests()).toBe(0);
    await transport.destroy();
    await silent.close();
  });

  test('sends through an injected dispatcher (an undici Agent here), which it does not close', async () => {
    const agent = new Agent({ connections: 1 });
    const seen: string[] = [];
    const dispatcher: RequestDispatcher = {
      request(options) {
        seen.push(`${options.method} ${options.origin}${options.path.slice(0, 3)}`);
        return agent.request(options);
      },
    };
    const transport = createNodeTransport({ dispatcher });
    expect((await transport.send(record('bob', 'Seen'), signal())).status).toBe(200);
    await transport.close();
    expect(transport.kind()).toBe('dispatcher');
    expect(seen).toEqual([`GET ${endpoint.url}/e?`]);
    // Still usable: the transport left the caller's dispatcher open.
    expect((await transport.send(record('ann', 'Seen'), signal())).status).toBe(200);
    await agent.close();
  });

  test('an undici Agent fits the dispatcher option as it is', () => {
    const dispatcher: RequestDispatcher = new Agent();
    expect(typeof dispatcher.request).toBe('function');
  });
});

describe('the fetch path', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());

  test('an injected fetch sends instead of undici', async () => {
    const urls: string[] = [];
    server.use(
      http.get('https://trk.kissmetrics.io/e', ({ request }) => {
        urls.push(request.url);
        return new HttpResponse(null, { status: 503, headers: { 'retry-after': '3' } });
      }),
    );
    const transport = createNodeTransport({ fetch: globalThis.fetch });
    const request = toTrackingRequest(
      { type: 'record', person: 'bob', event: 'Seen', time: 1_700_000_000, properties: {} },
      { apiKey: 'key' },
    );
    expect(await transport.send(request, signal())).toEqual({ status: 503, retryAfter: '3' });
    expect(transport.kind()).toBe('fetch');
    expect(urls).toEqual([request.url]);
  });
});

describe('supportsUndici', () => {
  test.each([
    ['18.20.8', false],
    ['20.18.0', false],
    ['20.18.1', true],
    ['20.19.0', true],
    ['22.0.0', true],
    ['24.1.0', true],
    ['19.9.0', false],
  ])('Node %s: %s', (version, expected) => {
    expect(supportsUndici(version)).toBe(expected);
  });
});
