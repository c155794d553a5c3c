import { expect, test } from 'vitest';
import { createFetchTransport } from './fetch-transport.js';

const signal = new AbortController().signal;

test('sends method, URL, body and headers, and reports status and Retry-After', async () => {
  const calls: { url: string; init: RequestInit }[] = [];
  const transport = createFetchTransport({
    fetch: async (url, init) => {
      calls.push({ url: String(url), init: init! });
      return new Response('GIF89a', { status: 503, headers: { 'retry-after': '7' } });
    },
    init: { keepalive: true },
  });
  const response = await transport.send(
    {
      method: 'POST',
      url: 'https://trk.kissmetrics.io/e',
      body: '_k=k&_p=p&_n=E',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    },
    signal,
  );
  expect(response).toEqual({ status: 503, retryAfter: '7' });
  expect(calls).toEqual([
    {
      url: 'https://trk.kissmetrics.io/e',
      init: {
        keepalive: true,
        method: 'POST',
        body: '_k=k&_p=p&_n=E',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        signal,
      },
    },
  ]);
});

test('a GET carries no body and a missing Retry-After reads as null', async () => {
  let init: RequestInit | undefined;
  const transport = createFetchTransport({
    fetch: async (_url, given) => {
      init = given;
      return new Response(null, { status: 200 });
    },
  });
  expect(
    await transport.send({ method: 'GET', url: 'https://trk.kissmetrics.io/s?_k=k&_p=p' }, signal),
  ).toEqual({
    status: 200,
    retryAfter: null,
  });
  expect(init).not.toHaveProperty('body');
});

test('an opaque (no-cors) answer counts as delivered', async () => {
  const opaque = {
    type: 'opaque',
    status: 0,
    headers: new Headers(),
    arrayBuffer: async () => new ArrayBuffer(0),
  };
  const transport = createFetchTransport({ fetch: async () => opaque as unknown as Response });
  expect(
    (await transport.send({ method: 'GET', url: 'https://trk.kissmetrics.io/e' }, signal)).status,
  ).toBe(200);
});

test('a network failure rejects, so the engine retries it', async () => {
  const transport = createFetchTransport({
    fetch: async () => {
      throw new TypeError('fetch failed');
    },
  });
  await expect(
    transport.send({ method: 'GET', url: 'https://trk.kissmetrics.io/e' }, signal),
  ).rejects.toThrow('fetch failed');
});
