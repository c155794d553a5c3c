import { checkOptions } from '@kmkit/core/internal';
import {
  type ClientEvents,
  createClient,
  DEFAULT_MAX_CONCURRENCY,
  type KissmetricsClient,
} from '../client/index.js';
import { openSpool, SPOOL_RECORD_OVERHEAD } from '../spool/index.js';
import { createNodeTransport, followMswInterception } from '../transport/index.js';
import { KISSMETRICS_OPTIONS, type KissmetricsOptions } from './kissmetrics-options.js';

export type { KissmetricsOptions } from './kissmetrics-options.js';

/**
 * Creates the Kissmetrics server client for Node.js: spec messages in (`track({ userId, event,
 * properties })`), Kissmetrics requests out over a keep-alive undici pool with bounded concurrency,
 * retries, bounded memory and an optional crash-safe spool.
 *
 * @example
 * ```ts
 * const km = createKissmetrics({ apiKey: process.env.KM_API_KEY! });
 * km.track({ userId: 'bob@example.com', event: 'Signed Up', properties: { plan: 'pro' } });
 * await km.close();
 * ```
 *
 * @throws {KmValidationError} `invalid_option` naming the option: no options object, a missing
 * `apiKey`, an unknown option (with the one it most likely meant), a value of the wrong type, an
 * unknown `preset`, a bad `endpoint`.
 * @throws {KmSpoolError} when the spool directory is used by another live process or unwritable.
 */
export function createKissmetrics(options: KissmetricsOptions): KissmetricsClient {
  // Every option, before anything is opened: a typo fails here, not at the first track().
  checkOptions(options, KISSMETRICS_OPTIONS, 'createKissmetrics');
  const { spool: spoolOptions, dispatcher, fetch, keepAliveTimeoutMs, ...clientOptions } = options;
  let emitWarning: ((warning: ClientEvents['warning']) => void) | undefined;
  const early: ClientEvents['warning'][] = [];
  const warn = (warning: ClientEvents['warning']) => {
    if (emitWarning) emitWarning(warning);
    else early.push(warning);
  };
  const transport = createNodeTransport({
    // As many connections as the window may grow to: none waits for one.
    connections:
      clientOptions.maxConcurrency ?? clientOptions.concurrency ?? DEFAULT_MAX_CONCURRENCY,
    ...(dispatcher === undefined ? {} : { dispatcher }),
    ...(fetch === undefined ? {} : { fetch }),
    ...(keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeoutMs }),
    onFallback: (message) => warn({ code: 'transport_fallback', message }),
  });
  // The journal holds at most what the queue may, so a restart loads no more than that.
  const spoolBytes =
    (clientOptions.maxQueueBytes ?? 16 * 1024 * 1024) +
    (clientOptions.maxQueueLength ?? 10_000) * SPOOL_RECORD_OVERHEAD;
  const spool =
    spoolOptions === undefined
      ? undefined
      : openSpool({ maxBytes: spoolBytes, ...spoolOptions }, warn);
  try {
    return createClient(clientOptions, {
      // Your own fetch or dispatcher is used as given; kmkit's pool steps aside while MSW runs.
      transport:
        fetch === undefined && dispatcher === undefined
          ? followMswInterception(transport)
          : transport,
      closeTransport: () => transport.destroy(),
      ...(spool === undefined ? {} : { spool }),
      bindWarnings(emit) {
        emitWarning = emit;
        for (const warning of early.splice(0)) emit(warning);
      },
    });
  } catch (error) {
    // A bad option: release the spool's lock so a corrected client can take it.
    spool?.close();
    throw error;
  }
}
