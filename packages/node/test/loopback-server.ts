import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// The emulator over real HTTP (for the undici transport, which MSW does not intercept).
export { type LoopbackServer, startLoopbackServer } from '@kmkit/msw/node';

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
