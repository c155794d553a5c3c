import { createKissmetrics, type KissmetricsClient } from '@kmkit/browser';
import { API_KEY } from './emulators.js';

/** The two ways a site sends: device mode and cloud mode. */
export type Mode = 'device' | 'cloud';

/** One line of the client events log. */
export interface ClientEventLine {
  readonly mode: Mode;
  readonly event: string;
  readonly text: string;
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

  const log = (mode: Mode, event: string, text: string) => onEvent({ mode, event, text });
  cloud.on('delivered', ({ request, attempts }) =>
    log(
      'cloud',
      'delivered',
      `${path(request.url)} after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
    ),
  );
  cloud.on('retry', ({ request, attempt, reason, status, delayMs }) =>
    log(
      'cloud',
      'retry',
      `${path(request.url)} attempt ${attempt} failed (${status ?? reason}); again in ${Math.round(delayMs)} ms`,
    ),
  );
  cloud.on('error', ({ request, reason, message }) =>
    log('cloud', 'error', `${path(request.url)} ${reason}: ${message}`),
  );
  for (const [mode, client] of [
    ['device', device],
    ['cloud', cloud],
  ] as const) {
    // A queued request, or a call held for consent (it has no request yet).
    client.on('drop', (drop) =>
      log(mode, 'drop', `${drop.reason}: ${drop.call ? `${drop.call}()` : path(drop.request.url)}`),
    );
    client.on('consent', ({ state }) => log(mode, 'consent', state));
    client.on('invalid', ({ call, error }) =>
      log(mode, 'invalid', `${call}: ${error.code} at ${error.path}: ${error.message}`),
    );
    client.on('warning', (warning) =>
      log(
        mode,
        'warning',
        `${warning.code}${'path' in warning && warning.path ? ` at ${warning.path}` : ''}: ${warning.message}`,
      ),
    );
  }
  return { device, cloud };
}
