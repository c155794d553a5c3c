import { KmValidationError, parseTrackingRequest } from '@kmkit/core';
import { type HttpHandler, http } from 'msw';
import { createFaultInjector, type FaultController, type FaultPlans } from '../faults/index.js';
import {
  bothSchemes,
  decodeComponent,
  gifResponse,
  scriptResponse,
  textResponse,
  urlRoute,
} from '../http/index.js';
import {
  KISSMETRICS_TRACKING_ENDPOINT,
  type KissmetricsLibraryOptions,
  kissmetricsLibraryScript,
} from './library-script.js';
import {
  type KissmetricsPerson,
  PeopleStore,
  type PropertyChange,
  type WriteOutcome,
} from './people.js';
import {
  readTrackingCall,
  type TrackingLimits,
  type TrackingPath,
  type TrackingRejection,
} from './tracking-rules.js';

/**
 * Fault-injection routes of the Kissmetrics emulator: `'e'`, `'s'`, `'a'` (the tracking API) and
 * `'js'` (`i.js` and `<key>.2.js`).
 */
export type KissmetricsRoute = 'e' | 's' | 'a' | 'js';

/** Options of {@link createKissmetricsEmulator}. */
export interface KissmetricsEmulatorOptions {
  /** The product API keys `_k` may name; a request with another key is rejected. Default: any key. */
  readonly apiKeys?: readonly string[];
  /**
   * Extra base URLs that serve `/e`, `/s` and `/a`, e.g. a first-party proxy
   * `https://example.com/km`. The Kissmetrics hosts (`trk.kissmetrics.io` and `.com`, http and
   * https) are always served.
   */
  readonly endpoints?: readonly string[];
  /** The server's receive clock in ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Fault plans in force from the start (and again after `reset()`). */
  readonly faults?: FaultPlans<KissmetricsRoute>;
  /** Seed of the PRNG behind fault rates. Default 1. */
  readonly seed?: number;
  /**
   * Limits a request is held to: `name` (identity, event and property names, default 255),
   * `value` (property values, default 512), and `history` (instances of each event name and of
   * each property kept per person, default 1000).
   */
  readonly limits?: Partial<TrackingLimits> & { readonly history?: number };
  /**
   * How the emulated JS library behaves: its tracking `endpoint`, and its automatic events
   * (`autoEvents`, or `visitedSite` alone; off by default).
   */
  readonly library?: Omit<KissmetricsLibraryOptions, 'apiKey'>;
  /**
   * Answer tracking requests with `access-control-allow-origin: *`, so that a page's `fetch` can
   * read the status. Default `true`. (Whether Kissmetrics sends it is not documented.)
   */
  readonly cors?: boolean;
}

/**
 * What became of a tracking request: `accepted`; `duplicate` (Kissmetrics accepts it but it changes
 * nothing, e.g. an event with the same person, name and second as one already recorded); or
 * `rejected` (see `reason`).
 */
export type TrackingStatus = 'accepted' | 'rejected' | 'duplicate';

/** One tracking request the emulator received (and answered normally, not with a fault). */
export interface ReceivedTrackingRequest {
  readonly method: string;
  readonly url: string;
  readonly path: TrackingPath;
  /** Every parameter, query and form body merged, decoded as the server decodes them. */
  readonly params: Readonly<Record<string, string>>;
  readonly status: TrackingStatus;
  /** Why it was rejected. */
  readonly reason?: TrackingRejection;
  /** What was wrong, in words. */
  readonly message?: string;
  /** The receive time in ms, from the `now` option. */
  readonly receivedAt: number;
}

/** An in-memory Kissmetrics: MSW handlers, and the people they built. */
export interface KissmetricsEmulator {
  /** MSW handlers: pass them to `setupServer(...)` or `setupWorker(...)`. */
  readonly handlers: readonly HttpHandler[];
  /** Every person, in the order their first identity was seen. */
  people(): KissmetricsPerson[];
  /** The person an identity belongs to, through any chain of aliases; undefined when unknown. */
  person(identity: string): KissmetricsPerson | undefined;
  /**
   * Every retained write of one property of a person (found through any alias), oldest first: the
   * history Kissmetrics keeps (the last 1000), e.g. one row per product of an order.
   */
  propertyHistory(identity: string, property: string): PropertyChange[];
  /** Every tracking request received, in order. Faulted requests are not here (see `faults`). */
  requests(): readonly ReceivedTrackingRequest[];
  /** The rejected requests: assert this is empty to prove nothing malformed was sent. */
  rejected(): readonly ReceivedTrackingRequest[];
  /** Forgets people and requests, and restores the initial fault plans with zeroed counters. */
  reset(): void;
  /** Fault injection per route (`'e' | 's' | 'a' | 'js' | '*'`). */
  readonly faults: FaultController<KissmetricsRoute>;
}

/** The hosts the Kissmetrics emulator serves, current and legacy. */
export const KISSMETRICS_HOSTS = {
  tracking: ['trk.kissmetrics.io', 'trk.kissmetrics.com'],
  library: ['i.kissmetrics.io', 'i.kissmetrics.com'],
  productScripts: ['scripts.kissmetrics.io', 'scripts.kissmetrics.com'],
} as const;

function checkEndpoint(endpoint: unknown, index: number): string {
  const path = `endpoints[${index}]`;
  let url: URL | undefined;
  try {
    url = new URL(String(endpoint));
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw new KmValidationError(
      'invalid_option',
      path,
      `${path} "${String(endpoint)}" is not a base URL: pass scheme, host and optional path, e.g. https://example.com/km`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function checkLimit(value: number | undefined, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new KmValidationError('invalid_option', path, `${path} must be a positive integer`);
  }
  return value;
}

/**
 * Creates an in-memory Kissmetrics: the tracking API (`/e`, `/s`, `/a` on `trk.kissmetrics.io`, the
 * legacy `trk.kissmetrics.com` and any `endpoints`, GET or POST) applying Kissmetrics' rules to build
 * people, and the JS library (`i.js`, `<key>.2.js`) for device mode in a real browser. Every tracking
 * request is answered `200` with a 1x1 GIF, as Kissmetrics does, unless a fault is injected.
 *
 * @example
 * ```ts
 * const km = createKissmetricsEmulator({ apiKeys: ['key'] });
 * const server = setupServer(...km.handlers);
 * server.listen({ onUnhandledRequest: 'error' });
 * await fetch('https://trk.kissmetrics.io/e?_k=key&_p=bob&_n=Signed%20Up');
 * km.person('bob')?.events; // [{ name: 'Signed Up', time: ..., properties: {} }]
 * ```
 */
export function createKissmetricsEmulator(
  options: KissmetricsEmulatorOptions = {},
): KissmetricsEmulator {
  const now = options.now ?? Date.now;
  const cors = options.cors ?? true;
  const apiKeys = options.apiKeys ? new Set(options.apiKeys) : undefined;
  const limits: TrackingLimits = {
    name: checkLimit(options.limits?.name, 255, 'limits.name'),
    value: checkLimit(options.limits?.value, 512, 'limits.value'),
  };
  const store = new PeopleStore(checkLimit(options.limits?.history, 1000, 'limits.history'));
  const faults = createFaultInjector<KissmetricsRoute>({
    routes: ['e', 's', 'a', 'js'],
    plans: options.faults,
    seed: options.seed,
    cors,
  });
  let received: ReceivedTrackingRequest[] = [];

  const receive = (method: string, url: string, path: TrackingPath, body: string | null) => {
    const receivedAt = now();
    const { params } = parseTrackingRequest({ url, method, body });
    const check = readTrackingCall(path, params, {
      apiKeys,
      limits,
      receivedAt: Math.floor(receivedAt / 1000),
    });
    let outcome: WriteOutcome | 'rejected' = 'rejected';
    if (check.ok) {
      const { call } = check;
      if (call.type === 'record') {
        outcome = store.recordEvent(call.person, call.event, call.time, call.properties);
      } else if (call.type === 'set') {
        outcome = store.setProperties(call.person, call.time, call.properties);
      } else {
        outcome = store.alias(call.person, call.alias);
      }
    }
    received.push(
      Object.freeze({
        method,
        url,
        path,
        params: Object.freeze(params),
        status: outcome,
        ...(check.ok ? {} : { reason: check.reason, message: check.message }),
        receivedAt,
      }),
    );
  };

  const trackingBases = [...bothSchemes(KISSMETRICS_HOSTS.tracking)];
  for (const [index, endpoint] of (options.endpoints ?? []).entries()) {
    const base = checkEndpoint(endpoint, index);
    if (!trackingBases.includes(base)) trackingBases.push(base);
  }

  const trackingRoute = urlRoute(trackingBases, '/[esa]');
  const answerTracking = ({ request }: { request: Request }) => {
    const path = new URL(request.url).pathname.slice(-2) as TrackingPath;
    return faults.answer(path.slice(1) as KissmetricsRoute, async () => {
      const body = request.method === 'POST' ? await request.text() : null;
      receive(request.method, request.url, path, body);
      return gifResponse(cors);
    });
  };

  const libraryOptions = {
    endpoint: options.library?.endpoint ?? KISSMETRICS_TRACKING_ENDPOINT,
    visitedSite: options.library?.visitedSite ?? false,
    autoEvents: options.library?.autoEvents ?? false,
  };
  const library = kissmetricsLibraryScript(libraryOptions);
  const libraryRoute = urlRoute(bothSchemes(KISSMETRICS_HOSTS.library), '/i\\.js');
  const productScriptRoute = urlRoute(bothSchemes(KISSMETRICS_HOSTS.productScripts), '/[^/]+');
  const answerProductScript = ({ request }: { request: Request }) =>
    faults.answer('js', () => {
      const file = new URL(request.url).pathname.slice(1);
      const apiKey = file.endsWith('.2.js')
        ? (decodeComponent(file.slice(0, -'.2.js'.length)) ?? '')
        : '';
      // The real CDN has no script for a product that does not exist.
      if (apiKey === '' || (apiKeys && !apiKeys.has(apiKey))) {
        return textResponse('Not Found', false, 404);
      }
      return scriptResponse(kissmetricsLibraryScript({ ...libraryOptions, apiKey }));
    });

  return {
    handlers: [
      http.get(trackingRoute, answerTracking),
      http.post(trackingRoute, answerTracking),
      http.get(libraryRoute, () => faults.answer('js', () => scriptResponse(library))),
      http.get(productScriptRoute, answerProductScript),
    ],
    people: () => store.people(),
    person: (identity) => store.person(identity),
    propertyHistory: (identity, property) => store.propertyHistory(identity, property),
    requests: () => received.slice(),
    rejected: () => received.filter((request) => request.status === 'rejected'),
    reset() {
      store.clear();
      received = [];
      faults.reset();
    },
    faults,
  };
}
