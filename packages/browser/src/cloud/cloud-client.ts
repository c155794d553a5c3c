import {
  createDeliveryQueue,
  DEFAULT_ENDPOINT,
  DEFAULT_RETRY_POLICY,
  type KmWireCommand,
  type OverflowPolicy,
  type RetryPolicy,
  toTrackingRequest,
} from '@kmkit/core';
import { DEV, type OptionsSpecOf, QUEUE_OPTIONS, systemScheduler } from '@kmkit/core/internal';
import type { AutoEventsOption, VisitStorage } from '../auto-events/index.js';
import { checkOptions, createClient, type Destination } from '../client/client.js';
import { COMMON_OPTIONS } from '../client/options.js';
import { createServerClient, onServer } from '../client/server-client.js';
import type { CommonOptions, KissmetricsClient } from '../client/types.js';
import { createIdentityStore, type IdentityStore } from '../identity/identity-store.js';
import { randomId } from '../identity/random-id.js';
import { createSharedStore, type SharedStore } from '../persistence/shared-store.js';
import { electSender, type SenderElection } from '../sender/sender-election.js';
import { createBrowserTransport } from '../transport/browser-transport.js';
import { KISSMETRICS_ORIGIN } from '../transport/kissmetrics-host.js';
import { landing, pageLoadRecords, touchVisit, visitStorage } from './page-load.js';

/** Options of cloud mode: kmkit sends to the tracking API from a persisted queue. */
export interface CloudOptions extends CommonOptions {
  readonly mode: 'cloud';
  /** Base URL of the tracking API, default `https://trk.kissmetrics.io` (a first-party proxy works). */
  readonly endpoint?: string;
  /**
   * Send with `mode: 'cors'`, so statuses are visible: 5xx and 429 are retried, `Retry-After`
   * honoured. Default true for any endpoint but a Kissmetrics host (a relay of yours, which must
   * then answer with CORS headers when it is on another origin); false (`no-cors`) for the
   * Kissmetrics hosts, which send no CORS headers: any answer counts as delivered there, and only
   * network failures are retried.
   */
  readonly cors?: boolean;
  /** Past this many bytes of query string a request becomes a POST. Default 2048. */
  readonly maxQueryBytes?: number;
  /** Requests in flight at once. Default 4. */
  readonly concurrency?: number;
  /** Overrides of the retry policy (attempts per page load, backoff, maximum age). */
  readonly retry?: Partial<RetryPolicy>;
  /** At most this many requests queued, shared by the site's tabs. Default 1000. */
  readonly maxQueueLength?: number;
  /** At most this many bytes of URLs and bodies queued. Default 512 KiB. */
  readonly maxQueueBytes?: number;
  /** At a cap: `'refuse'` (default) turns new events away, `'drop-oldest'` evicts the oldest. */
  readonly overflow?: OverflowPolicy;
  /**
   * Where the queue and the identity are kept. Default `localStorage`. `null`: the queue stays in
   * memory, the identity and the visit record go to first-party cookies (to store nothing, use
   * `consent`).
   */
  readonly storage?: Storage | null;
  /** The `fetch` to send with. Default the page's. */
  readonly fetch?: typeof fetch;
  /**
   * Kissmetrics' automatic events, recorded as its JS library records them: `Visited Site` once a
   * visit (30 minutes without activity), `Search Engine Hit` and `Ad Campaign Hit` on the page
   * load they apply to. Default `true`; `false` for none, or `{ visitedSite: false }`,
   * `{ adCampaignHit: false }`, `{ searchEngineHit: false }` as the library's `KM_SKIP_VISITED_SITE`,
   * `KM_SKIP_UTM` and `KM_SKIP_SEARCH_ENGINE` do.
   */
  readonly autoEvents?: AutoEventsOption;
}

/** The rules of {@link CloudOptions}, for `checkOptions` (made on use: production builds drop it). */
const cloudOptions = () =>
  ({
    ...COMMON_OPTIONS,
    mode: ['cloud'],
    endpoint: 'string',
    cors: 'boolean',
    maxQueryBytes: 'number',
    concurrency: 'number',
    ...QUEUE_OPTIONS,
    storage: 'object | null',
    fetch: 'function',
    autoEvents: 'boolean | object',
  }) as const satisfies OptionsSpecOf<CloudOptions>;

// The page's storage when it works: Safari's old private mode, blocked site data or a full quota
// make it throw on use (or on access), and it is then no storage.
function usable(storage: Storage | null | undefined): Storage | undefined {
  try {
    storage = storage === undefined ? localStorage : storage;
    storage!.setItem('kmkit_probe', '');
    storage!.removeItem('kmkit_probe');
    return storage!;
  } catch {}
}

/**
 * Creates a cloud-mode client: each call is mapped by `@kmkit/core`, encoded as tracking requests
 * and queued in the delivery engine, persisted in `localStorage` until Kissmetrics acknowledges it.
 * One tab of the site sends; every tab mirrors the shared queue, so the next one to send holds it.
 * Until consent is granted it reads and writes no storage or cookie and sends nothing. Made on a
 * server (no `document`), it takes every call and sends nothing.
 *
 * @throws {KmValidationError} `invalid_option` for a missing `apiKey`, a bad `endpoint` or option.
 */
export function createCloudClient(options: CloudOptions): KissmetricsClient {
  const { apiKey, concurrency = 4, endpoint = DEFAULT_ENDPOINT } = options;
  const mapping = checkOptions(options, 'cloud', DEV ? cloudOptions() : {});
  const encoding = { apiKey, endpoint, maxQueryBytes: options.maxQueryBytes };
  // Checks the endpoint now rather than at the first call.
  toTrackingRequest({ type: 'set', person: 'check', properties: {} }, encoding);
  if (onServer()) return createServerClient();
  const page = landing();
  return createClient(options, mapping, systemScheduler, ({ clock, emit, warn }) => {
    const transport = createBrowserTransport(
      // Kissmetrics' hosts send no CORS headers; any other endpoint (a relay) shows its statuses.
      (options.cors ?? !KISSMETRICS_ORIGIN.test(endpoint)) ? 'cors' : 'no-cors',
      concurrency,
      options.fetch,
    );
    const tabId = randomId(2);
    let count = 1e9;
    // Requests of this client that another tab (or client) settled, for flush() to count.
    let settledElsewhere = 0;
    // Requests dropped by reset({ clearQueue }), consent or forget(): in all, and since flush().
    let dropped = 0;
    let droppedSinceFlush = 0;
    let sender = false;
    let online = navigator.onLine !== false;
    // Consent withdrawn: nothing is sent.
    let holding = false;
    // Made once consent is granted (start()): nothing reads or writes storage before.
    let identity: IdentityStore;
    let visits: VisitStorage;
    let store: SharedStore | undefined;
    let election: SenderElection | undefined;

    const storeFailed = (error?: unknown) =>
      warn('store_failed', 'localStorage failed: events are kept in memory', error);

    // Reads the shared queue again and forgets what left it while this tab did not hear.
    const sync = () => {
      store?.rescan();
      void queue.restore();
      for (const { id } of queue.pending()) if (!store?.has(id)) queue.discard([id]);
    };
    const queue = createDeliveryQueue({
      ...options,
      maxQueueLength: options.maxQueueLength ?? 1000,
      maxQueueBytes: options.maxQueueBytes ?? 512 * 1024,
      // A page's own small bound (HTTP/1.1 gives a host about 6 connections); the window adapts below.
      maxConcurrency: concurrency,
      // A request that gave up in this page stays saved: the next page load retries it.
      durableRetry: 'max-attempts',
      transport,
      // The shared store once there is one; until then (and without storage) memory only.
      store:
        options.storage === null
          ? undefined
          : {
              durable: true,
              load: () => store?.load() ?? [],
              add: (entry) => store?.add(entry),
              remove: (id) => store?.remove(id),
            },
      scheduler: clock,
      // Unique across tabs and page loads; sorts in queue order within a tab.
      generateId: () => `${tabId}-${count++}`,
      paused: true,
    });
    // Requests leave storage only when acknowledged: the next page load tries this one again.
    queue.on('error', (event) => event.reason === 'max_attempts' && store?.keep(event.id));
    const update = () => (sender && online && !holding ? queue.resume() : queue.pause());

    // Drops every queued request not yet on the wire (those finish), a `drop` event each, counted.
    const drop = (reason: 'reset' | 'consent_denied' | 'forget') => {
      for (const { id, request } of queue.pending()) {
        if (queue.discard([id])) {
          dropped++;
          droppedSinceFlush++;
          emit('drop', { reason, request, id, message: DEV ? `${reason}: not sent` : reason });
        }
      }
    };

    // What only this tab can send goes now: the sending tab's whole queue, or what storage refused.
    const beacon = () =>
      online &&
      !holding &&
      transport.beacon(
        queue
          .pending()
          .filter((entry) => sender || store?.unsaved(entry.id))
          .map((entry) => entry.request),
      );

    return {
      start(at) {
        const storage = usable(options.storage);
        identity = createIdentityStore(storage);
        visits = visitStorage(storage);
        sender = !storage;
        // After start, so that a listener attached right after createKissmetrics hears it.
        if (options.storage !== null && !storage) queueMicrotask(storeFailed);
        store =
          storage &&
          createSharedStore(
            storage,
            apiKey,
            {
              base: endpoint.replace(/\/+$/, ''),
              now: clock.now,
              maxAgeMs: options.retry?.maxAgeMs ?? DEFAULT_RETRY_POLICY.maxAgeMs,
            },
            {
              onFailure: storeFailed,
              onInvalid: (count) =>
                emit('warning', {
                  code: 'invalid_saved_request',
                  count,
                  message: `removed ${count} saved request(s) this client may not send (another origin, method, time or shape)`,
                }),
              onAdded: () => void queue.restore(),
              onRemoved(id) {
                if (queue.discard([id]) && id.startsWith(tabId)) settledElsewhere++;
              },
              onCleared: () => sender || sync(),
            },
          );
        // What an earlier page load left, once this tab knows whether it sends.
        void queue.restore();
        election =
          storage &&
          electSender(`kmkit:${apiKey}`, storage, clock, tabId, (sending) => {
            sender = sending;
            if (sending) sync();
            update();
          });
        election?.start();
        update();

        const listen = (type: string, listener: (event: PageTransitionEvent) => unknown) =>
          addEventListener(type, listener as EventListener);
        const setOnline = (isOnline: boolean) => () => {
          online = isOnline;
          update();
        };
        listen('online', setOnline(true));
        listen('offline', setOnline(false));
        document.addEventListener(
          'visibilitychange',
          () => document.visibilityState === 'hidden' && beacon(),
        );
        listen('pagehide', () => {
          beacon();
          // Another tab sends from now on; this page may come back from the back/forward cache.
          election?.stop();
        });
        listen('pageshow', (event) => {
          if (event.persisted && !holding) {
            sync();
            election?.start();
          }
        });

        // This page load's automatic events, for the visitor as they are now.
        for (const record of pageLoadRecords(
          visits,
          identity.read(),
          at,
          options.autoEvents,
          page,
        )) {
          queue.enqueue(toTrackingRequest(record, encoding));
        }
      },
      hold(on) {
        holding = on;
        // Another tab may send meanwhile; this one takes part again when consent comes back.
        if (on) election?.stop();
        else election?.start();
        update();
      },
      drop,
      prepare(call, message) {
        const { userId, anonymousId } = identity.read();
        const current = userId ?? anonymousId;
        // An alias without previousId joins the current identity (parseEvent reads anonymousId).
        if (call === 'alias') return { ...message, anonymousId: current };
        // Like the Kissmetrics JS: only an anonymous visitor is aliased to the user id it becomes.
        if (call === 'identify' && `${message.userId ?? ''}`.trim()) {
          return { ...message, anonymousId: userId ? null : anonymousId };
        }
        // A spec message with an identity of its own keeps it.
        if (call === 'send' && (message.userId ?? message.anonymousId) != null) return message;
        return { ...message, userId, anonymousId };
      },
      deliver(call, event, commands) {
        // Encode everything before queueing anything: an invalid call reaches no queue.
        const requests = commands.map((command) =>
          toTrackingRequest(command as KmWireCommand, encoding),
        );
        if (call === 'identify' && event.userId) identity.setUserId(event.userId);
        for (const request of requests) queue.enqueue(request);
        touchVisit(visits, clock.now());
      },
      reset(resetOptions) {
        identity.reset();
        if (resetOptions?.clearQueue) drop('reset');
      },
      async identity() {
        const { userId, anonymousId } = identity.read();
        return userId ?? anonymousId;
      },
      async flush() {
        const resetDrops = droppedSinceFlush;
        droppedSinceFlush = 0;
        await election?.decided;
        const before = settledElsewhere;
        const result = await queue.flush();
        return {
          delivered: result.delivered + settledElsewhere - before,
          failed: result.failed,
          dropped: result.dropped + resetDrops,
        };
      },
      on: queue.on as Destination['on'],
      stats() {
        const stats = queue.stats();
        return { ...stats, dropped: stats.dropped + dropped, sender };
      },
    };
  });
}
