import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createKissmetricsEmulator,
  type KissmetricsEmulator,
  type KissmetricsEmulatorOptions,
} from '@kmkit/msw';
import { getResponse, type RequestHandler } from 'msw';

/** A server on 127.0.0.1 and its base URL. */
export interface Loopback {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** Serves a `node:http` listener on a free loopback port. */
export async function serveListener(listener: RequestListener): Promise<Loopback> {
  const server = createServer(listener);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) =>
    server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(request: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    request.on('data', (chunk: Uint8Array) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * Serves MSW handlers (an `@kmkit/msw` emulator) on a loopback port, for clients MSW cannot
 * intercept (the `@kmkit/node` undici pool). A handler's network error cuts the connection.
 */
export async function serveHandlers(
  initial: readonly RequestHandler[] = [],
): Promise<Loopback & { unhandled: string[]; use(handlers: readonly RequestHandler[]): void }> {
  const unhandled: string[] = [];
  let handlers = [...initial];
  let base = '';
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
    }
    const request = new Request(`${base}${req.url ?? '/'}`, {
      method,
      headers,
      ...(method === 'GET' || method === 'HEAD' ? {} : { body: new Uint8Array(body) }),
    });
    const response = await getResponse([...handlers], request);
    if (!response) {
      unhandled.push(`${method} ${request.url}`);
      res.writeHead(404).end();
      return;
    }
    if (response.type === 'error') {
      req.socket.destroy();
      return;
    }
    const payload = Buffer.from(await response.arrayBuffer());
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      responseHeaders[name] = value;
    });
    responseHeaders['content-length'] = String(payload.length);
    res.writeHead(response.status, responseHeaders).end(payload);
  };
  const loopback = await serveListener((req, res) => {
    answer(req, res).catch(() => req.socket.destroy());
  });
  base = loopback.url;
  return {
    ...loopback,
    unhandled,
    use(next) {
      handlers = [...next];
    },
  };
}

/** The Kissmetrics emulator served on a loopback port, for the forwarder's undici pool. */
export async function serveKissmetrics(
  options: Omit<KissmetricsEmulatorOptions, 'endpoints'> = {},
): Promise<Loopback & { km: KissmetricsEmulator; unhandled: string[] }> {
  const loopback = await serveHandlers();
  const km = createKissmetricsEmulator({ ...options, endpoints: [loopback.url] });
  loopback.use(km.handlers);
  return { ...loopback, km };
}
