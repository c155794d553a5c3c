import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { serveKissmetrics } from '../../test/loopback.js';
import { createTapstreamForwarder, type TapstreamForwarder } from './create-tapstream-forwarder.js';

// Slow clients on real sockets against forwarder.listener on node:http: each must be cut off at
// the forwarder's deadline, not at Node's defaults (300 s for a request, 60 s for headers).
const API_KEY = 'km-key';
const SECRET = 'deadline-secret';
const T = 1_714_564_800;
const HEADERS_TIMEOUT_MS = 1000;
const BODY_TIMEOUT_MS = 1500;

let kissmetrics: Awaited<ReturnType<typeof serveKissmetrics>>;
let forwarder: TapstreamForwarder;
const servers: Server[] = [];
const sockets: Socket[] = [];
beforeAll(async () => {
  kissmetrics = await serveKissmetrics({ apiKeys: [API_KEY] });
  forwarder = createTapstreamForwarder({
    apiKey: API_KEY,
    secret: SECRET,
    endpoint: kissmetrics.url,
    headersTimeoutMs: HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: BODY_TIMEOUT_MS,
  });
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});
afterAll(async () => {
  for (const server of servers) server.close();
  await forwarder.close({ timeoutMs: 1000 });
  await kissmetrics.close();
});

/** A server on a free loopback port: the plain listener, or with the forwarder's server options. */
async function serve(withServerOptions: boolean): Promise<number> {
  const server = withServerOptions
    ? createServer(forwarder.serverOptions, forwarder.listener)
    : createServer(forwarder.listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface SlowClient {
  /** Everything the server sent. */
  readonly received: () => string;
  /** Resolves with the milliseconds from the connection to the server closing it. */
  readonly closed: Promise<number>;
  /** Bytes of the request written so far. */
  readonly sent: () => number;
}

/** Sends `head` at once, then `dribble` one byte a second until the server closes the socket. */
function slowClient(port: number, head: string, dribble: string): SlowClient {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  const started = Date.now();
  let received = '';
  let sent = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  socket.on('error', () => undefined);
  socket.on('connect', () => {
    socket.write(head);
    sent += head.length;
    let index = 0;
    timer = setInterval(() => {
      if (index >= dribble.length || socket.destroyed) return;
      socket.write(dribble[index++]!);
      sent++;
    }, 1000);
  });
  const closed = new Promise<number>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer);
      resolve(Date.now() - started);
    });
  });
  return { received: () => received, closed, sent: () => sent };
}

const form = `km_identity=visitor&event=ios-myapp-open&time=${T}`;

describe('deadlines on node:http', () => {
  test('a body sent at 1 byte/s is answered 408 and cut off at bodyTimeoutMs', async () => {
    const port = await serve(false);
    const client = slowClient(
      port,
      `POST /tapstream?secret=${SECRET} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n`,
      form,
    );
    const elapsed = await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(client.received()).toContain('"reason":"request_timeout"');
    // Cut at the deadline: not before it, and long before the body could have ended (52 s).
    expect(elapsed).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(BODY_TIMEOUT_MS + 2000);
    await forwarder.flush();
    expect(kissmetrics.km.requests()).toEqual([]);
  });

  test('headers sent at 1 byte/s are cut off at headersTimeoutMs through serverOptions', async () => {
    const port = await serve(true);
    const client = slowClient(
      port,
      '',
      `GET /tapstream?secret=${SECRET} HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    const elapsed = await client.closed;
    // Node answers 408 itself when it closes a connection whose headers are late.
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(elapsed).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    // The deadline, plus at most one connections check (a quarter of it).
    expect(elapsed).toBeLessThan(HEADERS_TIMEOUT_MS * 1.25 + 1500);
    expect(client.sent()).toBeLessThan(5);
  });

  test('a POST with a wrong secret in the query is refused before any of its body is sent', async () => {
    const port = await serve(false);
    const head = `POST /tapstream?secret=wrong HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n`;
    // The head only: the body is never sent.
    const client = slowClient(port, head, '');
    await expect.poll(() => client.received(), { timeout: 900 }).toMatch(/^HTTP\/1\.1 401 /);
    expect(client.sent()).toBe(head.length);
    expect(client.received()).toContain('"reason":"unauthorized"');
    expect(client.received()).toMatch(/connection: close/i);
    // The connection is not held for the body it will never get: closed by the body deadline.
    expect(await client.closed).toBeLessThan(BODY_TIMEOUT_MS + 2000);
  });
});
