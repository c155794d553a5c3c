import {
  createKissmetricsEmulator,
  createTapstreamEmulator,
  type KissmetricsEmulator,
  type TapstreamEmulator,
} from '@kmkit/msw';
import {
  createTapstreamForwarder,
  type PostbackAnswer,
  postbackUrlTemplate,
  type TapstreamForwarder,
} from '@kmkit/tapstream-bridge/server';
import { http } from 'msw';
import { setupWorker } from 'msw/browser';
import { type AdBlocker, createAdBlocker } from './ad-blocker.js';
import { createSiteRelay, type SiteRelay } from './site-relay.js';

/** The Kissmetrics product the page tracks to. */
export const API_KEY = 'playground-key';

/** The Tapstream account of the app, and its SDK secret. */
export const TAPSTREAM_ACCOUNT = { name: 'acme', secret: 'tapstream-sdk-secret' } as const;

/** Where Tapstream posts the app's events back: the forwarder, run in this page. */
export const POSTBACK_HOOK = 'https://api.example.com/tapstream';
const POSTBACK_SECRET = 'postback-secret-3b9f1c';

/**
 * Kissmetrics and Tapstream, emulated in the page, the site's servers (the postback forwarder and
 * the first-party relay), and the visitor's ad-blocker.
 */
export interface PageEmulators {
  readonly km: KissmetricsEmulator;
  readonly ts: TapstreamEmulator;
  readonly forwarder: TapstreamForwarder;
  /** Every answer the forwarder gave, in order. */
  readonly postbackAnswers: PostbackAnswer[];
  /** `@kmkit/node/relay` at `/km` of this page's origin. */
  readonly siteRelay: SiteRelay;
  /** Off at first: the relay panel switches it. */
  readonly adBlocker: AdBlocker;
}

/**
 * Starts the emulators behind MSW's service worker: from then on every request of the page to
 * Kissmetrics, Tapstream, the postback hook or the relay (`/km/*`) is answered in the page, the
 * ad-blocker first. A request to any other host is an error (reported on the console); the
 * page's own files are left alone.
 */
export async function startEmulators(): Promise<PageEmulators> {
  const km = createKissmetricsEmulator({ apiKeys: [API_KEY] });
  const ts = createTapstreamEmulator({
    accounts: [TAPSTREAM_ACCOUNT],
    postbacks: [{ url: postbackUrlTemplate({ baseUrl: POSTBACK_HOOK, secret: POSTBACK_SECRET }) }],
  });
  // The server side of the integration, on @kmkit/node's fetch client (see vite.config.ts).
  const forwarder = createTapstreamForwarder({ apiKey: API_KEY, secret: POSTBACK_SECRET });
  const postbackAnswers: PostbackAnswer[] = [];
  forwarder.on('postback', (answer) => postbackAnswers.push(answer));
  const siteRelay = createSiteRelay(API_KEY, km.handlers);
  const adBlocker = createAdBlocker();
  const worker = setupWorker(
    adBlocker.handler,
    ...km.handlers,
    ...ts.handlers,
    http.all(POSTBACK_HOOK, ({ request }) => forwarder.handle(request)),
    siteRelay.handler,
  );
  await worker.start({
    serviceWorker: { url: '/mockServiceWorker.js' },
    quiet: true,
    onUnhandledRequest(request, print) {
      if (new URL(request.url).origin === location.origin) return;
      print.error();
    },
  });
  return { km, ts, forwarder, postbackAnswers, siteRelay, adBlocker };
}
