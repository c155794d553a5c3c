import {
  createKissmetricsEmulator,
  createTapstreamEmulator,
  type KissmetricsEmulator,
  type TapstreamEmulator,
} from '@kmkit/msw';
import { http } from 'msw';
import { afterAll } from 'vitest';
import { createTapstreamForwarder, postbackUrlTemplate } from '../src/server/index.js';
import { interceptedFetch, useServer } from './server.js';

/** The Kissmetrics API key and the Tapstream account of the seed flow's world. */
export const KM_KEY = 'km-key';
export const ACCOUNT = { name: 'acme', secret: 'sdk-secret' };
/** Where Tapstream's postbacks go: the forwarder's URL. */
export const HOOK = 'https://hooks.example.com/tapstream';

/**
 * The world of the seed's integration for a test file: both emulators, Tapstream's postback template
 * pointing at the forwarder, the forwarder recording into the Kissmetrics emulator, all answered by
 * MSW (unhandled requests are errors); the forwarder is closed after the file.
 */
export function useSeedWorld(options: {
  readonly postbackSecret: string;
  readonly now?: () => number;
}): {
  km: KissmetricsEmulator;
  ts: TapstreamEmulator;
  forwarder: ReturnType<typeof createTapstreamForwarder>;
} {
  const km = createKissmetricsEmulator({
    apiKeys: [KM_KEY],
    ...(options.now ? { now: options.now } : {}),
  });
  const ts = createTapstreamEmulator({
    accounts: [ACCOUNT],
    ...(options.now ? { now: options.now } : {}),
    postbacks: [{ url: postbackUrlTemplate({ baseUrl: HOOK, secret: options.postbackSecret }) }],
  });
  const forwarder = createTapstreamForwarder({
    apiKey: KM_KEY,
    secret: options.postbackSecret,
    fetch: interceptedFetch,
  });
  useServer(
    ...km.handlers,
    ...ts.handlers,
    http.all(HOOK, ({ request }) => forwarder.handle(request)),
  );
  afterAll(() => forwarder.close({ timeoutMs: 1000 }));
  return { km, ts, forwarder };
}
