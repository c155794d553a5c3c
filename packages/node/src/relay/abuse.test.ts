// The relay on a real node:http server, under the abuse a public endpoint meets.
import { Agent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { type EmulatedEndpoint, startEmulatedEndpoint } from '../../test/emulated-endpoint.js';
import { type RelayServer, startRelayServer } from '../../test/relay-server.js';
import {
  createKissmetricsRelay,
  type KissmetricsRelay,
  type KissmetricsRelayOptions,
} from './index.js';

const T = 1_714_564_800;
let kissmetrics: EmulatedEndpoint | undefined;
let relay: KissmetricsRelay | undefined;
let server: RelayServer | undefined;
afterEach(async () => {
  await server?.close();
  await relay?.close({ timeoutMs: 100 });
  await kissmetrics?.close();
  server = relay = kissmetrics = undefined;
});

async function start(options: Partial<KissmetricsRelayOptions> = {}, headersTimeout?: number) {
  kissmetrics = await startEmulatedEndpoint({ apiKeys: ['key'] });
  relay = createKissmetricsRelay({
    apiKey: 'key',
    endpoint: kissmetrics.url,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...options,
  } as KissmetricsRelayOptions);
  server = await startRelayServer(relay.listener, headersTimeout ? { headersTimeout } : {});
  return { km: kissmetrics.km, relay, server };
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: init.method ?? 'GET', headers: init.headers, agent: init.agent },
      (res) => {
        let body = '';
        res.setEncoding('latin1').on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

const event = (name: string, person = 'bob') =>
  `_k=key&_p=${person}&_n=${encodeURIComponent(name)}&_t=${T}&_d=1`;

/** Connects, writes `head` at once, then `trickle` one byte a `everyMs`; resolves when the server ends it. */
function slowClient(port: number, head: string, trickle: string, everyMs: number) {
  return new Promise<{ answer: string; closedAfterMs: number }>((resolve) => {
    const started = performance.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < trickle.length && !socket.destroyed) socket.write(trickle[sent++]!);
    }, everyMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, closedAfterMs: performance.now() - started });
    });
    socket.write(head);
  });
}

describe('abuse of a relay on node:http', () => {
  test('a client sending its body at 1 byte a second gets 408 at bodyTimeoutMs and loses its socket', async () => {
    const { server, km, relay } = await start({ bodyTimeoutMs: 500 });
    const port = Number(new URL(server.origin).port);
    const body = event('Slow');
    const result = await slowClient(
      port,
      `POST /km/e HTTP/1.1\r\nhost: relay\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ${body.length}\r\n\r\n`,
      body,
      1000,
    );
    expect(result.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(result.answer).toContain('"reason":"body_timeout"');
    expect(result.closedAfterMs).toBeLessThan(3000);
    await relay.flush();
    expect(km.requests()).toEqual([]);
  });

  test('a client sending its headers at 1 byte a second is cut at the server header deadline the README sets', async () => {
    const { server } = await start({}, 1000);
    const port = Number(new URL(server.origin).port);
    const result = await slowClient(port, 'GET /km/e?', `${event('Slow')} HTTP/1.1\r\n`, 1000);
    // Node answers 408 itself (or just closes): either way the socket is not held.
    expect(result.answer === '' || /^HTTP\/1\.1 408 /.test(result.answer)).toBe(true);
    expect(result.closedAfterMs).toBeLessThan(4000);
  });

  test('2,000 concurrent requests on 2,000 connections: each answered 200, each event in Kissmetrics exactly once', {
    timeout: 60_000,
  }, async () => {
    const { server, km, relay } = await start();
    const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
    const answers = await Promise.all(
      Array.from({ length: 2000 }, (_, index) =>
        send(`${server.endpoint}/e?${event(`Event ${index}`, `visitor-${index % 100}`)}`, {
          agent,
        }),
      ),
    );
    agent.destroy();
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(2000);
    await relay.flush();
    expect(relay.stats().client).toMatchObject({ delivered: 2000, failed: 0, dropped: 0 });
    const statuses = km.requests().map((request) => request.status);
    expect(statuses.filter((status) => status === 'accepted')).toHaveLength(2000);
    expect(statuses).toHaveLength(2000);
  });

  test('2,000 concurrent requests while Kissmetrics is down and the queue holds 500: exactly the 200s are delivered, the 503s are not', {
    timeout: 60_000,
  }, async () => {
    const { server, km, relay } = await start({ maxQueueLength: 500 });
    km.faults.set('*', { rate: 1, failWith: 'network-error' });
    // 2,000 requests at once, queued on 256 keep-alive connections.
    const agent = new Agent({ keepAlive: true, maxSockets: 256 });
    const answers = await Promise.all(
      Array.from({ length: 2000 }, (_, index) =>
        send(`${server.endpoint}/e?${event(`Event ${index}`)}`, { agent }).then((answer) => ({
          index,
          ...answer,
        })),
      ),
    );
    agent.destroy();
    const accepted = answers
      .filter((answer) => answer.status === 200)
      .map((answer) => answer.index);
    const refused = answers.filter((answer) => answer.status === 503);
    expect(accepted).toHaveLength(500);
    expect(refused).toHaveLength(1500);
    expect(refused[0]?.headers['retry-after']).toBe('5');
    km.faults.clear();
    await relay.flush();
    const delivered = km.person('bob')?.events.map((e) => Number(e.name.split(' ')[1])) ?? [];
    expect(delivered.sort((a, b) => a - b)).toEqual(accepted.sort((a, b) => a - b));
  });

  test('X-Forwarded-For is ignored without trusted proxies, and read from the trusted end with them', async () => {
    const spoofed = { 'x-forwarded-for': '6.6.6.6' };
    const first = await start();
    await send(`${first.server.endpoint}/e?${event('Direct')}`, { headers: spoofed });
    await first.relay.flush();
    expect(first.km.requests().map((request) => request.params._ip)).toEqual(['127.0.0.1']);
    await server?.close();
    await relay?.close();
    await kissmetrics?.close();

    // One load balancer in front: it appends the address it received from; what the client wrote
    // before that is never read.
    const behind = await start({ trustedProxies: 1 });
    await send(`${behind.server.endpoint}/e?${event('Behind A Proxy')}`, {
      headers: { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' },
    });
    // A client reaching the relay around the proxy with a forged header: still one hop read.
    await send(`${behind.server.endpoint}/e?${event('Forged')}`, {
      headers: { 'x-forwarded-for': '6.6.6.6, not-an-address' },
    });
    await behind.relay.flush();
    expect(behind.km.requests().map((request) => [request.params._n, request.params._ip])).toEqual([
      ['Behind A Proxy', '203.0.113.7'],
      ['Forged', undefined],
    ]);
  });

  test('oversized and malformed requests get clear 4xx codes and the connection serves the next request', async () => {
    const { server, km, relay } = await start({ maxBodyBytes: 1024, maxUrlBytes: 2048 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const answers = [
      await send(`${server.endpoint}/e`, {
        method: 'POST',
        headers: form,
        body: `${event('Big')}&v=${'x'.repeat(2000)}`,
        agent,
      }),
      await send(`${server.endpoint}/e?${event('Long')}&v=${'x'.repeat(3000)}`, { agent }),
      await send(`${server.endpoint}/e?_k=key&_p=%ZZ&_n=x`, { agent }),
      await send(`${server.endpoint}/e?${event('Fine')}`, { agent }),
    ];
    agent.destroy();
    expect(
      answers.map((answer) => [
        answer.status,
        answer.status === 200 ? 'gif' : JSON.parse(answer.body).reason,
      ]),
    ).toEqual([
      [413, 'payload_too_large'],
      [414, 'uri_too_long'],
      [400, 'malformed_request'],
      [200, 'gif'],
    ]);
    await relay.flush();
    expect(km.requests().map((request) => request.params._n)).toEqual(['Fine']);
    expect(relay.stats().refused).toEqual({
      payload_too_large: 1,
      uri_too_long: 1,
      malformed_request: 1,
    });
  });

  test('a chunked body with no length is cut at maxBodyBytes while it streams', async () => {
    const { server } = await start({ maxBodyBytes: 1024 });
    const port = Number(new URL(server.origin).port);
    const chunk = `400\r\n${'x'.repeat(1024)}\r\n`;
    const result = await slowClient(
      port,
      `POST /km/e HTTP/1.1\r\nhost: relay\r\ntransfer-encoding: chunked\r\n\r\n${chunk}${chunk}`,
      chunk.repeat(200),
      1,
    );
    expect(result.answer).toMatch(/^HTTP\/1\.1 413 /);
  });
});
