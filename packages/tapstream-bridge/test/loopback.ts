import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createKissmetricsEmulator,
  type KissmetricsEmulator,
  type KissmetricsEmulatorOptions,
} from '@kmkit/msw';
import { startLoopbackServer } from '@kmkit/msw/node';

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

/** The Kissmetrics emulator served on a loopback port, for the forwarder's undici pool. */
export async function serveKissmetrics(
  options: Omit<KissmetricsEmulatorOptions, 'endpoints'> = {},
): Promise<Loopback & { km: KissmetricsEmulator; unhandled(): readonly string[] }> {
  const loopback = await startLoopbackServer();
  const km = createKissmetricsEmulator({ ...options, endpoints: [loopback.url] });
  loopback.use(km.handlers);
  const { url, server, close, unhandled } = loopback;
  return { url, server, close, unhandled, km };
}
