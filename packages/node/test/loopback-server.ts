import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse, type RequestHandler } from 'msw';

/**
 * A real HTTP server on 127.0.0.1 that answers with MSW handlers (the `@kmkit/msw` emulator), for
 * transports MSW cannot intercept (undici's own `Pool.request`). A handler answering
 * `HttpResponse.error()` (the emulator's `network-error` fault) makes it destroy the socket, which
 * the client sees as a connection reset.
 */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`: pass it as the client's `endpoint` and the emulator's `endpoints`. */
  readonly url: string;
  /** Sets the handlers that answer from now on. */
  use(handlers: readonly RequestHandler[]): void;
  /** Requests answered with no handler matching them (404), as `METHOD url`. */
  unhandled(): readonly string[];
  /** Connections opened so far (keep-alive reuse keeps this low). */
  connections(): number;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

function shutdown(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Starts a loopback server answering with MSW handlers (set them with `use`). */
export async function startLoopbackServer(
  handlers: readonly RequestHandler[] = [],
): Promise<LoopbackServer> {
  let current = [...handlers];
  const unhandled: string[] = [];
  let connections = 0;
  let url = '';

  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
    }
    const request = new Request(`${url}${req.url ?? '/'}`, {
      method,
      headers,
      ...(method === 'GET' || method === 'HEAD' ? {} : { body: new Uint8Array(body) }),
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
  server.on('connection', () => {
    connections++;
  });
  url = await listen(server);
  return {
    url,
    use(next) {
      current = [...next];
    },
    unhandled: () => unhandled,
    connections: () => connections,
    close: () => shutdown(server),
  };
}

/** A loopback server that accepts connections and requests and never answers: a hung endpoint. */
export async function startSilentServer(): Promise<{
  readonly url: string;
  requests(): number;
  close(): Promise<void>;
}> {
  let requests = 0;
  const server = createServer(() => {
    requests++;
  });
  const url = await listen(server);
  return { url, requests: () => requests, close: () => shutdown(server) };
}

/** A URL on 127.0.0.1 where nothing listens: connections are refused (an endpoint that is down). */
export async function unusedLoopbackUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await shutdown(server);
  return url;
}
