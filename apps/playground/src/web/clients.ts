import { createKissmetrics, type KissmetricsClient } from '@kmkit/browser';
import { API_KEY } from './emulators.js';

/** The two ways a site sends: device mode and cloud mode. */
export type Mode = 'device' | 'cloud';

/**
 * Who a line of the clients' log is about: a mode's client; the relay panel's clients, straight
 * to Kissmetrics (`direct`) or through the site's relay (`relayed`); or the `relay` itself.
 */
export type LogSource = Mode | 'direct' | 'relayed' | 'relay';

/** One line of the client events log. */
export interface ClientEventLine {
  readonly source: LogSource;
  readonly event: string;
  readonly text: string;
}

/**
 * The relay panel's visitor, with an ad-blocker: one site set up two ways, cloud mode straight
 * to Kissmetrics and cloud mode with `endpoint` on the site's relay.
 */
export interface AdBlockedVisitor {
  readonly direct: KissmetricsClient;
  readonly relayed: KissmetricsClient;
}

/** The page's two clients. */
export interface PlaygroundClients {
  readonly device: KissmetricsClient;
  readonly cloud: KissmetricsClient;
}

interface Queue {
  push(...items: unknown[]): unknown;
}

/**
 * Reports every item pushed on `window._kmq`, whoever pushes it (the device client, the
 * Tapstream bridge) and whatever `_kmq` is (the array of the snippet, then the library's queue).
 */
function watchKmq(onPush: (item: unknown) => void): void {
  let queue: Queue | undefined;
  const watched = (value: Queue | undefined) => {
    if (!value || typeof value.push !== 'function') return value;
    const push = value.push;
    value.push = function (this: Queue, ...items: unknown[]) {
      for (const item of items) onPush(item);
      return push.apply(this, items);
    };
    return value;
  };
  Object.defineProperty(window, '_kmq', {
    configurable: true,
    get: () => queue,
    set: (value: Queue | undefined) => {
      queue = watched(value);
    },
  });
}

function path(url: string): string {
  const { pathname } = new URL(url);
  return pathname.slice(pathname.lastIndexOf('/'));
}

type Log = (source: LogSource, event: string, text: string) => void;

/** Writes a cloud client's deliveries, retries and failures in the log. */
function logDelivery(client: KissmetricsClient, source: LogSource, log: Log): void {
  client.on('delivered', ({ request, attempts }) =>
    log(
      source,
      'delivered',
      `${path(request.url)} after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
    ),
  );
  client.on('retry', ({ request, attempt, reason, status, delayMs }) =>
    log(
      source,
      'retry',
      `${path(request.url)} attempt ${attempt} failed (${status ?? reason}); again in ${Math.round(delayMs)} ms`,
    ),
  );
  client.on('error', ({ request, reason, message }) =>
    log(source, 'error', `${path(request.url)} ${reason}: ${message}`),
  );
}

/** Writes what a client dropped, its consent changes, invalid calls and warnings in the log. */
function logOutcomes(client: KissmetricsClient, source: LogSource, log: Log): void {
  // A queued request, or a call held for consent (it has no request yet).
  client.on('drop', (drop) =>
    log(source, 'drop', `${drop.reason}: ${drop.call ? `${drop.call}()` : path(drop.request.url)}`),
  );
  client.on('consent', ({ state }) => log(source, 'consent', state));
  client.on('invalid', ({ call, error }) =>
    log(source, 'invalid', `${call}: ${error.code} at ${error.path}: ${error.message}`),
  );
  client.on('warning', (warning) =>
    log(
      source,
      'warning',
      `${warning.code}${'path' in warning && warning.path ? ` at ${warning.path}` : ''}: ${warning.message}`,
    ),
  );
}

/**
 * Creates the cloud client, then the device client (which loads the emulated Kissmetrics JS).
 * The cloud client makes its anonymous id first: created after the library, it would reuse the
 * library's `km_ai` cookie (as a site moving to cloud mode should) and the two modes would be one
 * visitor here.
 */
export async function createClients(
  onKmq: (item: unknown) => void,
  onEvent: (line: ClientEventLine) => void,
): Promise<PlaygroundClients> {
  const cloud = createKissmetrics({
    apiKey: API_KEY,
    mode: 'cloud',
    // The emulator answers with CORS headers, so 5xx and 429 are seen (and retried).
    cors: true,
    // Quick retries, to watch a fault storm pass in seconds.
    retry: { baseDelayMs: 250, maxDelayMs: 4000 },
  });
  await cloud.identity();
  watchKmq(onKmq);
  const device = createKissmetrics({ apiKey: API_KEY, mode: 'device' });

  const log: Log = (source, event, text) => onEvent({ source, event, text });
  logDelivery(cloud, 'cloud', log);
  logOutcomes(device, 'device', log);
  logOutcomes(cloud, 'cloud', log);
  return { device, cloud };
}

/** The relay panel's visitor: signed in, as the customers whose events matter most are. */
export const AD_BLOCKED_VISITOR = 'haddock@herge.com';

/**
 * The relay panel's two clients. Each keeps its queue in memory (`storage: null`), apart: two
 * set-ups of one site, not two tabs sharing a queue (where one would send the other's requests,
 * re-based onto the relay). Their calls name the visitor (`userId`), so both are the same person
 * whatever the other panels store or erase. Without storage a client keeps its anonymous id in a
 * cookie, which the page's cloud client reads once its own is gone: the panel makes these at its
 * first click, so that until then the other panels are as they would be without it.
 */
export function createAdBlockedVisitor(
  relayEndpoint: string,
  onEvent: (line: ClientEventLine) => void,
): AdBlockedVisitor {
  const options = {
    apiKey: API_KEY,
    mode: 'cloud',
    storage: null,
    autoEvents: false,
    retry: { baseDelayMs: 500, maxDelayMs: 8000 },
  } as const;
  const visitor = {
    direct: createKissmetrics(options),
    relayed: createKissmetrics({ ...options, endpoint: relayEndpoint }),
  };
  const log: Log = (source, event, text) => onEvent({ source, event, text });
  for (const source of ['direct', 'relayed'] as const) {
    logDelivery(visitor[source], source, log);
    logOutcomes(visitor[source], source, log);
  }
  return visitor;
}
