// What the Chromium suites read from `window` in page.evaluate callbacks.
import type { KissmetricsClient } from '../src/index.js';
import type * as pageEntry from './page-entry.js';

declare global {
  /** The bundle's exports, as the page sees them. */
  var kmkit: typeof pageEntry;
  /** The page's client, as the page scripts create it. */
  var km: KissmetricsClient;
  interface Window {
    km: KissmetricsClient;
    /** `[event name, code or reason, message]` of every client event, in order. */
    events: [string, string, string][];
    start: (options?: Record<string, unknown>) => boolean;
    [key: string]: unknown;
  }
}
