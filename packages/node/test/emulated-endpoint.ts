import {
  createKissmetricsEmulator,
  type KissmetricsEmulator,
  type KissmetricsEmulatorOptions,
} from '@kmkit/msw';
import { type LoopbackServer, startLoopbackServer } from './loopback-server.js';

/** The Kissmetrics emulator served on a loopback port, for the undici transport. */
export interface EmulatedEndpoint {
  /** The endpoint to give the client. */
  readonly url: string;
  readonly km: KissmetricsEmulator;
  readonly server: LoopbackServer;
  close(): Promise<void>;
}

/** Starts the `@kmkit/msw` Kissmetrics emulator behind a loopback HTTP server. */
export async function startEmulatedEndpoint(
  options: Omit<KissmetricsEmulatorOptions, 'endpoints'> = {},
): Promise<EmulatedEndpoint> {
  const server = await startLoopbackServer();
  const km = createKissmetricsEmulator({ ...options, endpoints: [server.url] });
  server.use(km.handlers);
  return { url: server.url, km, server, close: () => server.close() };
}

/** `count` track messages with distinct names, so each has its own duplicate key (_p, _n, _t). */
export function numberedEvents(count: number, timestamp = '2024-05-01T12:00:00Z') {
  return Array.from({ length: count }, (_, index) => ({
    userId: `user-${index % 50}`,
    event: `Event ${index}`,
    timestamp,
    properties: { index },
  }));
}
