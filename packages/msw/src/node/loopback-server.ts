import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse, type RequestHandler } from 'msw';

/** A real HTTP server on 127.0.0.1 that answers with MSW handlers. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`: your client's endpoint, and one of the emulator's `endpoints`. */
  readonly url: string;
  /** The `node:http` server, e.g. to tune `keepAliveTimeout`. */
  readonly server: Server;
  /** Replaces the handlers that answer from now on. */
  use(handlers: readonly RequestHandler[]): void;
  /** Requests no handler answered (answered 404), as `METHOD url`, oldest first. */
  unhandled(): readonly string[];
  /** Connections opened so far (keep-alive reuse keeps this low). */
  connections(): number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Options of {@link startLoopbackServer}. */
export interface LoopbackServerOptions {
  /** How long an idle keep-alive connection stays open, in ms. Default 60,000. */
  readonly keepAliveTimeout?: number;
  /** The listen backlog, for load tests that open many connections at once. Default 4,096. */
  readonly backlog?: number;
}

function readBody(request: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    request.on('data', (chunk: Uint8Array) => chunks.push(chunk));
    request.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    request.on('error', reject);
  });
}

/**
 * Serves MSW handlers (such as an emulator's) over real HTTP on a free loopback port, for clients
 * that MSW cannot intercept: undici's own pools (`@kmkit/node`'s transport), child processes, other
 * languages. A handler answering `HttpResponse.error()` (the emulators' `network-error` fault) makes
 * the server destroy the socket, which the client sees as a connection reset.
 *
 * @example
 * ```ts
 * const km = createKissmetricsEmulator();
 * const server = await startLoopbackServer();
 * const kmOnLoopback = createKissmetricsEmulator({ endpoints: [server.url] });
 * server.use(kmOnLoopback.handlers);
 * // createKissmetrics({ apiKey, endpoint: server.url }) ... await server.close();
 * ```
 */
export async function startLoopbackServer(
  handlers: readonly RequestHandler[] = [],
  options: LoopbackServerOptions = {},
): Promise<LoopbackServer> {
  let current = [...handlers];
  const unhandled: string[] = [];
  let connections = 0;
  let url = '';

  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
    }
    const request = new Request(`${url}${req.url ?? '/'}`, {
      method,
      headers,
      ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
    });
    const response = await getResponse(current, request);
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

  const server = createServer((req, res) => {
    answer(req, res).catch(() => req.socket.destroy());
  });
  server.keepAliveTimeout = options.keepAliveTimeout ?? 60_000;
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) =>
    server.listen({ port: 0, host: '127.0.0.1', backlog: options.backlog ?? 4096 }, resolve),
  );
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    use(next) {
      current = [...next];
    },
    unhandled: () => unhandled.slice(),
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
