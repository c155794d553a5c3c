import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse, type RequestHandler } from 'msw';

/**
 * A real HTTP server on 127.0.0.1 answering with MSW handlers: for what msw/node cannot intercept,
 * the node client's own undici transport and a child process. An `HttpResponse.error()` answer
 * (the emulators' `network-error` fault) destroys the socket: the client sees a connection reset.
 */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`: the client's `endpoint`, and one of the emulator's `endpoints`. */
  readonly url: string;
  /** Replaces the handlers that answer from now on. */
  use(handlers: readonly RequestHandler[]): void;
  /** Requests no handler answered (answered 404), as `METHOD url`. */
  unhandled(): readonly string[];
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<ArrayBuffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer);
    });
    request.on('error', reject);
  });
}

/** Starts a loopback server; set what answers with `use`. */
export async function startLoopbackServer(): Promise<LoopbackServer> {
  let handlers: RequestHandler[] = [];
  const unhandled: string[] = [];
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
    const response = await getResponse(handlers, request);
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
    const responseHeaders: Record<string, string> = { 'content-length': String(payload.length) };
    response.headers.forEach((value, name) => {
      if (name !== 'content-length') responseHeaders[name] = value;
    });
    res.writeHead(response.status, responseHeaders).end(payload);
  };

  const server: Server = createServer((req, res) => {
    answer(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    use(next) {
      handlers = [...next];
    },
    unhandled: () => unhandled.slice(),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
