import { createKissmetricsRelay, type KissmetricsRelay } from '@kmkit/node/relay';
import { getResponse, type HttpHandler, http } from 'msw';

/** The relay's mount path on the site: cloud mode's `endpoint` is this page's origin plus it. */
export const RELAY_PATH = '/km';

/**
 * The visitor's address as the site's server sees it. A page cannot read its own public address,
 * so the relay here is given this one (an address kept for documentation, RFC 5737), as a
 * server's socket (or its load balancer's `X-Forwarded-For`) would give the visitor's.
 */
export const VISITOR_ADDRESS = '203.0.113.7';

/** The site's first-party relay, run in this page as the site's server would run it. */
export interface SiteRelay {
  readonly relay: KissmetricsRelay;
  /** Cloud mode's `endpoint` for it: `<this page's origin>/km`. */
  readonly endpoint: string;
  /** The MSW handler that routes `/km/*` of this page's origin to `relay.handle`. */
  readonly handler: HttpHandler;
}

/**
 * The relay's way out to Kissmetrics. On the site's server its requests leave from there, where
 * no ad-blocker is; in this page they are answered by the emulator's handlers directly, never
 * through the page's network (where the page's ad-blocker sits). A network error the emulator
 * injects rejects, as `fetch` does.
 */
function serverFetch(handlers: readonly HttpHandler[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const response = await getResponse([...handlers], request);
    if (!response || response.type === 'error') {
      throw new TypeError(`fetch failed: ${request.method} ${request.url}`);
    }
    return response;
  };
}

/**
 * The request as it reaches the site's server, `User-Agent` included. A service worker sees a
 * request before the browser adds it, and Chromium drops a `user-agent` given to `new Request`,
 * so the headers the relay reads are a copy with the page's own.
 */
function asReceived(request: Request): Request {
  const headers = new Headers(request.headers);
  if (!headers.has('user-agent')) headers.set('user-agent', navigator.userAgent);
  const received = new Request(request);
  Object.defineProperty(received, 'headers', { value: headers });
  return received;
}

/**
 * Creates the site's relay: `@kmkit/node/relay`'s edge build (fetch only, no spool, as on a
 * Cloudflare Worker; see `vite.config.ts`), accepting `apiKey` only, forwarding to the emulated
 * Kissmetrics at its usual address through `kissmetrics` (its handlers).
 */
export function createSiteRelay(apiKey: string, kissmetrics: readonly HttpHandler[]): SiteRelay {
  const endpoint = `${location.origin}${RELAY_PATH}`;
  const relay = createKissmetricsRelay({
    apiKey,
    fetch: serverFetch(kissmetrics),
    // Quick retries, as the page's cloud client: a fault storm passes in seconds.
    retry: { baseDelayMs: 250, maxDelayMs: 4000 },
  });
  const handler = http.all(`${endpoint}/*`, ({ request }) =>
    relay.handle(asReceived(request), { remoteAddress: VISITOR_ADDRESS }),
  );
  return { relay, endpoint, handler };
}
