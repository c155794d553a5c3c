import { noStats } from './client.js';
import type { KissmetricsClient } from './types.js';

/**
 * True where there is no document to track: a server rendering the page (Next.js, Remix, Astro,
 * SvelteKit), a worker, a test in Node.
 */
export const onServer = (): boolean => typeof document === 'undefined';

/**
 * The client made where there is no document: every call is taken without throwing and nothing is
 * sent or stored (whatever the consent). `flush()` resolves with nothing delivered, `identity()` with `''` (there is no
 * visitor), and no event is ever emitted.
 */
export function createServerClient(): KissmetricsClient {
  const nothing = () => {};
  return {
    identify: nothing,
    track: nothing,
    page: nothing,
    screen: nothing,
    alias: nothing,
    group: nothing,
    send: nothing,
    reset: nothing,
    setConsent: nothing,
    forget: nothing,
    identity: () => Promise.resolve(''),
    flush: () => Promise.resolve({ delivered: 0, failed: 0, dropped: 0 }),
    on: () => nothing,
    stats: () => ({ ...noStats(), invalid: 0, consent: 'granted', held: 0 }),
  };
}
