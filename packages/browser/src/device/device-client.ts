import {
  type DeliveryStats,
  type FlushResult,
  type KmAliasCommand,
  KmValidationError,
  mapEvent,
  parseEvent,
  type Scheduler,
  systemScheduler,
  toKmq,
} from '@kmkit/core';
import { createCalls, type Deliver } from '../client/calls.js';
import { createClientEvents } from '../client/events.js';
import { mappingOptions, positiveOption } from '../client/options.js';
import type { CommonOptions, KissmetricsClient } from '../client/types.js';
import { trackHistory } from '../page-tracking/history.js';
import { KmLibraryError } from './library-error.js';
import { installSnippet, type KissmetricsHosts, kmWindow } from './snippet.js';

/** Options of device mode: the Kissmetrics JS library sends, from its own queue. */
export interface DeviceOptions extends CommonOptions {
  readonly mode?: 'device';
  /** Where the scripts come from, for self-hosting or the legacy `.com` hosts. */
  readonly hosts?: KissmetricsHosts;
  /** A CSP nonce set on the script elements. */
  readonly nonce?: string;
  /** How long `identity()` waits for the library before rejecting. Default 5000 ms. */
  readonly identityTimeoutMs?: number;
}

/** Counts of a device-mode client: the Kissmetrics JS delivers, so only `invalid` moves. */
export const IDLE_STATS: DeliveryStats = Object.freeze({
  queued: 0,
  queuedBytes: 0,
  inFlight: 0,
  delivered: 0,
  failed: 0,
  dropped: 0,
  retries: 0,
  paused: false,
  closed: false,
});

const NOTHING_FLUSHED: FlushResult = Object.freeze({ delivered: 0, failed: 0, dropped: 0 });

/**
 * Creates a device-mode client: installs the Kissmetrics snippet (once) and pushes the `_kmq`
 * commands `@kmkit/core` maps each call to, also before the library has loaded. Works unchanged
 * when an ad-blocker blocks the scripts: calls never throw, `identity()` rejects after its timeout.
 *
 * @throws {KmValidationError} `invalid_option` for a missing `apiKey` or a bad option.
 */
export function createDeviceClient(options: DeviceOptions): KissmetricsClient {
  const { apiKey, hosts, nonce, mode } = options;
  if (mode !== undefined && mode !== 'device') {
    throw new KmValidationError(
      'invalid_option',
      'mode',
      `mode ${JSON.stringify(mode)} is not "device": use createKissmetrics from @kmkit/browser for cloud mode`,
    );
  }
  const clock: Scheduler = { ...systemScheduler, ...options.scheduler };
  const map = mappingOptions(options, 'device', clock.now);
  const timeoutMs = positiveOption('identityTimeoutMs', options.identityTimeoutMs, 5000);
  const events = createClientEvents();

  installSnippet({
    apiKey,
    hosts,
    nonce,
    onBlocked: (src) =>
      events.emitter.emit('warning', {
        code: 'library_blocked',
        message: `${src} did not load (ad-blocker, CSP or network): commands wait in window._kmq`,
      }),
  });
  // Read at every push: the library replaces the array with its own queue when it loads.
  const push = (item: unknown) => kmWindow()._kmq!.push(item);

  const deliver: Deliver = (call, message) => {
    // The library owns the current identity: an alias without previousId reads KM.i() once loaded.
    const fromCurrent = call === 'alias' && message.previousId == null;
    const event = parseEvent(fromCurrent ? { ...message, previousId: 'KM.i()' } : message, map);
    const { commands, warnings } = mapEvent(event, map);
    if (fromCurrent) {
      const alias = commands[0] as KmAliasCommand;
      push(() => push(toKmq({ ...alias, person: String(kmWindow().KM!.i()) })));
    } else {
      for (const command of commands) push(toKmq(command));
    }
    events.warn(event.messageId, warnings);
  };
  const calls = createCalls(deliver, events.report);
  if (options.autoTrackPages) trackHistory((properties) => calls.page(properties));

  return {
    ...calls,
    reset() {
      push(['clearIdentity']);
    },
    identity() {
      return new Promise<string>((resolve, reject) => {
        const timer = new AbortController();
        let settled = false;
        push(() => {
          if (settled) return;
          settled = true;
          timer.abort();
          resolve(String(kmWindow().KM!.i()));
        });
        clock.sleep(timeoutMs, timer.signal).then(() => {
          if (settled) return;
          settled = true;
          reject(new KmLibraryError(timeoutMs));
        });
      });
    },
    flush: () => Promise.resolve(NOTHING_FLUSHED),
    on: events.emitter.on,
    stats: () => ({ ...IDLE_STATS, invalid: events.invalid(), sender: false }),
  };
}
