import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type Loopback, serveKissmetrics, serveListener } from '../../test/loopback.js';
import { createTapstreamForwarder, type TapstreamForwarder } from './create-tapstream-forwarder.js';

// Real sockets on both sides: postbacks reach forwarder.listener on a node:http server, and the
// forwarder's undici pool reaches the Kissmetrics emulator on another.
const API_KEY = 'km-key';
const SECRET = 'listener-secret';
const T = 1_714_564_800;

let kissmetrics: Awaited<ReturnType<typeof serveKissmetrics>>;
let forwarder: TapstreamForwarder;
let site: Loopback;
beforeAll(async () => {
  kissmetrics = await serveKissmetrics({ apiKeys: [API_KEY] });
  forwarder = createTapstreamForwarder({
    apiKey: API_KEY,
    secret: SECRET,
    endpoint: kissmetrics.url,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  });
  site = await serveListener(forwarder.listener);
});
afterEach(() => kissmetrics.km.reset());
afterAll(async () => {
  await forwarder.close({ timeoutMs: 1000 });
  await site.close();
  await kissmetrics.close();
});

function query(parameters: Record<string, string> = {}): string {
  return `/tapstream?${new URLSearchParams({
    secret: SECRET,
    km_identity: 'Xk3+a/bQ9w==',
    event: 'ios-myapp-open',
    time: String(T),
    ...parameters,
  })}`;
}

interface RawAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** One request with node:http, the body written in the given chunks (chunked without a length). */
function send(
  method: string,
  path: string,
  options: { headers?: Record<string, string | number>; chunks?: (string | Uint8Array)[] } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${site.url}${path}`, { method, headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end();
  });
}

describe('forwarder.listener on node:http', () => {
  test('forwards a GET postback and Kissmetrics records it', async () => {
    const answer = await send('GET', query());
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      outcome: 'forwarded',
      person: 'Xk3+a/bQ9w==',
      time: T,
    });
    await forwarder.flush();
    expect(kissmetrics.km.person('Xk3+a/bQ9w==')?.events).toEqual([
      { name: 'ios-myapp-open', time: T, properties: {} },
    ]);
    expect(kissmetrics.unhandled()).toEqual([]);
  });

  test('reads a form body sent in chunks', async () => {
    const form = new URLSearchParams({
      secret: SECRET,
      km_identity: 'v-1',
      event: 'ios-myapp-install',
      time: `${T}000`,
    });
    const text = form.toString();
    const answer = await send('POST', '/tapstream', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      chunks: [text.slice(0, 10), text.slice(10, 30), text.slice(30)],
    });
    expect(JSON.parse(answer.body)).toMatchObject({ outcome: 'forwarded', person: 'v-1', time: T });
  });

  test('answers every code through the listener too', async () => {
    expect((await send('GET', query({ secret: 'nope' }))).status).toBe(401);
    expect((await send('GET', query({ km_identity: '' }))).status).toBe(202);
    expect((await send('GET', query({ time: 'soon' }))).status).toBe(400);
    const put = await send('PUT', query(), { chunks: ['x=1'] });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, POST');
  });

  test('refuses a declared body over 64 KB before reading it', async () => {
    const body = 'x'.repeat(64 * 1024 + 1);
    const answer = await send('POST', query(), {
      headers: { 'content-length': body.length, 'content-type': 'text/plain' },
      chunks: [body],
    });
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body).reason).toBe('payload_too_large');
  });

  test('cuts a chunked body without a length once it passes 64 KB', async () => {
    const chunk = 'x'.repeat(16 * 1024);
    const answer = await send('POST', query(), { chunks: [chunk, chunk, chunk, chunk, chunk] });
    expect(answer.status).toBe(413);
  });

  test('works after a body parser consumed the stream (Express urlencoded)', async () => {
    const parsed = await serveListener((req, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        text += chunk;
      });
      req.on('end', () => {
        (req as IncomingMessage & { body?: unknown }).body = Object.fromEntries(
          new URLSearchParams(text),
        );
        forwarder.listener(req, res);
      });
    });
    try {
      const body = new URLSearchParams({
        secret: SECRET,
        km_identity: 'parsed',
        event: 'e',
        time: String(T),
      }).toString();
      const response = await fetch(`${parsed.url}/tapstream`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      expect(await response.json()).toMatchObject({ outcome: 'forwarded', person: 'parsed' });
    } finally {
      await parsed.close();
    }
  });

  test('a client that goes away mid-body costs nothing, and the server serves the next one', async () => {
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${site.url}${query()}`, {
        method: 'POST',
        headers: { 'content-length': 5000 },
      });
      req.on('error', () => resolve());
      req.write('x'.repeat(100), () => {
        req.destroy();
        resolve();
      });
    });
    expect((await send('GET', query())).status).toBe(200);
  });
});

describe('never crashes on any input', () => {
  // A seeded generator, so a failure replays.
  function random(seed: number) {
    let state = seed;
    return () => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state / 2 ** 31;
    };
  }

  function rawExchange(bytes: Uint8Array): Promise<string> {
    return new Promise((resolve) => {
      const socket = connect(Number(new URL(site.url).port), '127.0.0.1');
      let answer = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        answer += chunk;
      });
      socket.on('error', () => resolve(answer));
      socket.on('close', () => resolve(answer));
      socket.write(bytes, () => socket.end());
    });
  }

  test('random bytes, odd methods and garbage request lines are answered or dropped, never fatal', async () => {
    const next = random(7);
    const inputs: Uint8Array[] = [];
    for (let index = 0; index < 60; index++) {
      const bytes = new Uint8Array(1 + Math.floor(next() * 2000));
      for (let at = 0; at < bytes.length; at++) bytes[at] = Math.floor(next() * 256);
      inputs.push(bytes);
    }
    const encoder = new TextEncoder();
    // Methods node's parser knows reach the listener; the others are refused by node itself.
    const known = ['PROPFIND', 'TRACE', 'DELETE', 'OPTIONS', 'MKCOL', 'LOCK'];
    for (const method of [...known, 'BREW', 'G\u0000ET', 'CONNECT', 'get', 'post']) {
      inputs.push(
        encoder.encode(`${method} ${query()} HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\nabc`),
      );
    }
    inputs.push(
      encoder.encode('GET /tapstream?secret=%E0%A4%A&km_identity=%ZZ HTTP/1.1\r\nhost: x\r\n\r\n'),
    );
    inputs.push(
      encoder.encode(`POST ${query()} HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n`),
    );
    inputs.push(
      encoder.encode(
        `POST ${query()} HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 4\r\n\r\n\u00ff\u00fe%%`,
      ),
    );
    const answers = await Promise.all(inputs.map(rawExchange));
    // Whatever came back is HTTP, and every method the listener saw got its 405.
    for (const text of answers) if (text !== '') expect(text).toMatch(/^HTTP\/1\.1 \d{3} /);
    expect(answers.filter((text) => text.startsWith('HTTP/1.1 405'))).toHaveLength(known.length);
    expect((await send('GET', query())).status).toBe(200);
  });

  test('huge bodies in every form leave the server serving', async () => {
    const huge = new Uint8Array(5 * 1024 * 1024).fill(0x61);
    const attempts = await Promise.allSettled([
      send('POST', query(), { headers: { 'content-length': huge.length }, chunks: [huge] }),
      send('POST', query(), { chunks: [huge] }),
      send('PUT', query(), { chunks: [huge] }),
    ]);
    for (const attempt of attempts) {
      // Either the refusal was read, or the connection was cut after it: never a 2xx.
      if (attempt.status === 'fulfilled') expect([405, 413]).toContain(attempt.value.status);
    }
    expect((await send('GET', query())).status).toBe(200);
  });

  test('handle() answers random requests with one of its codes and never rejects', async () => {
    const next = random(11);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    const values = [
      '',
      SECRET,
      'x',
      '%',
      '\u0000',
      '😀',
      'undefined',
      String(T),
      `${T}000`,
      'e'.repeat(300),
    ];
    const statuses = new Set<number>();
    for (let index = 0; index < 300; index++) {
      const parameters = new URLSearchParams();
      for (const key of [
        'secret',
        'km_identity',
        'event',
        'time',
        'tracker',
        '__proto__',
        'constructor',
      ]) {
        if (next() < 0.7) parameters.append(key, pick(values));
      }
      const method = pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
      const hasBody = method !== 'GET' && next() < 0.5;
      const response = await forwarder.handle(
        new Request(`https://hooks.example.com/t?${parameters}`, {
          method,
          ...(hasBody
            ? { body: pick(['', 'a=b', '%%%', parameters.toString(), 'x'.repeat(70_000)]) }
            : {}),
        }),
      );
      statuses.add(response.status);
      expect([200, 202, 400, 401, 405, 413]).toContain(response.status);
      expect(await response.json()).toHaveProperty('outcome');
    }
    expect(statuses.size).toBeGreaterThanOrEqual(4);
  });
});
