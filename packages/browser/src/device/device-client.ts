import { type KmCommand, type Scheduler, toKmq } from '@kmkit/core';
import { DEV, type OptionsSpecOf } from '@kmkit/core/internal';
import { checkOptions, createClient, invalidOption } from '../client/client.js';
import { COMMON_OPTIONS } from '../client/options.js';
import { createServerClient, onServer } from '../client/server-client.js';
import type { CommonOptions, KissmetricsClient } from '../client/types.js';
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

/** The rules of {@link DeviceOptions}, for `checkOptions` (made on use: production builds drop it). */
const deviceOptions = () =>
  ({
    ...COMMON_OPTIONS,
    mode: ['device'],
    hosts: 'object',
    nonce: 'string',
    identityTimeoutMs: 'number',
  }) as const satisfies OptionsSpecOf<DeviceOptions>;

// Read at every push: the library replaces the array with its own queue when it loads.
const push = (item: unknown) => kmWindow._kmq.push(item);
const current = () => String(kmWindow.KM.i());
// Stands for the identity the library holds, until it runs.
const CURRENT = 'KM.i()';
// All device mode needs of a clock: the time of calls, and the wait of identity().
const DEVICE_CLOCK: Pick<Scheduler, 'now' | 'sleep'> = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Creates a device-mode client: installs the Kissmetrics snippet (`window._kmq`, `i.js` and
 * `<key>.2.js`, once) and pushes the `_kmq` commands `@kmkit/core` maps each call to, also before
 * the library has loaded. Works unchanged when an ad-blocker blocks the scripts: calls never throw,
 * `identity()` rejects after its timeout. Made on a server (no `document`), it takes every call and
 * sends nothing.
 *
 * @example
 * ```ts
 * import { createKissmetrics } from '@kmkit/browser/device';
 * const km = createKissmetrics({ apiKey: 'your-api-key' });
 * km.page('home'); // ['record', 'Viewed home page']
 * ```
 *
 * @throws {KmValidationError} `invalid_option` for a missing `apiKey` or a bad option.
 */
export function createDeviceClient(options: DeviceOptions): KissmetricsClient {
  const { mode, identityTimeoutMs: timeoutMs = 5000 } = options;
  // The sentences are development-only: production keeps the code and the path.
  if (mode && mode !== 'device') throw invalidOption('mode', DEV ? "must be 'device' here" : '');
  if (!(timeoutMs > 0)) throw invalidOption('identityTimeoutMs', DEV ? 'must be positive' : '');
  const mapping = checkOptions(options, 'device', DEV ? deviceOptions() : {});
  if (onServer()) return createServerClient();
  return createClient(options, mapping, DEVICE_CLOCK, ({ clock, warn }) => {
    return {
      // Once consent is granted: no script before.
      start: () => installSnippet(options, (src) => warn('library_blocked', `${src} did not load`)),
      // The library owns the identity: an alias without previousId reads KM.i() once it runs.
      prepare: (call, message) =>
        call === 'alias' ? { ...message, anonymousId: CURRENT } : message,
      deliver(_call, event, commands, held) {
        for (const command of commands) {
          // A call held for consent keeps its time: the library reads _t and _d from properties.
          const item = toKmq(held ? ({ time: event.time, ...command } as KmCommand) : command);
          if (event.type === 'alias' && event.previousId === CURRENT) {
            push(() => push([item[0], item[1], current()]));
          } else push(item);
        }
      },
      reset: () => push(['clearIdentity']),
      // Whichever comes first settles it: the library's answer, or the timeout.
      identity: () =>
        new Promise<string>((resolve, reject) => {
          push(() => resolve(current()));
          clock
            .sleep(timeoutMs)
            .then(() =>
              reject(
                new KmLibraryError(
                  'library_unavailable',
                  'identity',
                  DEV ? `the Kissmetrics JS did not load within ${timeoutMs} ms (blocked?)` : '',
                ),
              ),
            );
        }),
    };
  });
}
