import {
  createDeliveryQueue,
  type FlushResult,
  type KmWireCommand,
  mapEvent,
  type OverflowPolicy,
  parseEvent,
  type RetryPolicy,
  type Scheduler,
  type StoredRequest,
  systemScheduler,
  type TrackingRequest,
  type Transport,
  toTrackingRequest,
} from '@kmkit/core';
import { createCalls, type Deliver } from '../client/calls.js';
import { createClientEvents } from '../client/events.js';
import { mappingOptions } from '../client/options.js';
import type { CommonOptions, KissmetricsClient } from '../client/types.js';
import { createIdentityStore } from '../identity/identity-store.js';
import { randomId } from '../identity/random-id.js';
import { trackHistory } from '../page-tracking/history.js';
import { createSharedQueue, type SharedQueue } from '../persistence/shared-queue.js';
import { electSender, type SenderElection } from '../sender/sender-election.js';
import { sendBeacons } from '../transport/beacon.js';
import { createBrowserTransport } from '../transport/fetch-transport.js';

/** Options of cloud mode: kmkit sends to the tracking API from a persisted queue. */
export interface CloudOptions extends CommonOptions {
  readonly mode: 'cloud';
  /** Base URL of the tracking API, default `https://trk.kissmetrics.io` (a first-party proxy works). */
  readonly endpoint?: string;
  /**
   * Send with `mode: 'cors'`, for an endpoint that answers with CORS headers (a proxy of yours):
   * statuses become visible, so 5xx and 429 are retried. Default false (`no-cors`): works with any
   * host, but a 5xx answer counts as delivered; network failures are still retried.
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
  /** Where the queue and the identity are kept. Default `localStorage`; `null` keeps them in memory. */
  readonly storage?: Storage | null;
  /** The `fetch` to send with. Default the page's. */
  readonly fetch?: typeof fetch;
}

// Storage that throws on use (Safari private mode, blocked cookies, a full quota) is no storage.
function usable(storage: Storage | null | undefined): Storage | undefined {
  if (!storage) return undefined;
  try {
    storage.setItem('kmkit.probe', '1');
    storage.removeItem('kmkit.probe');
    return storage;
  } catch {
    return undefined;
  }
}

function pageStorage(): Storage | undefined {
  try {
    return localStorage;
  } catch {
    // A SecurityError when the site's storage is blocked.
    return undefined;
  }
}

// A user id parseEvent keeps (it ignores blank text), so identify('') is identify() on the visitor.
function named(userId: unknown): boolean {
  return typeof userId === 'string' ? userId.trim() !== '' : userId != null;
}

interface HandOffWaiter {
  readonly waiting: Set<string>;
  delivered: number;
  failed: number;
  readonly resolve: (counts: { delivered: number; failed: number }) => void;
}

/**
 * Creates a cloud-mode client: each call is mapped by `@kmkit/core`, encoded as tracking requests
 * and queued in the delivery engine, persisted in `localStorage` until Kissmetrics acknowledges it.
 * One tab of the site sends; the others hand their requests over through the shared queue.
 *
 * @throws {KmValidationError} `invalid_option` for a missing `apiKey`, a bad `endpoint` or option.
 */
export function createCloudClient(options: CloudOptions): KissmetricsClient {
  const { apiKey, endpoint, maxQueryBytes } = options;
  const clock: Scheduler = { ...systemScheduler, ...options.scheduler };
  const map = mappingOptions(options, 'cloud', clock.now);
  const encoding = { apiKey, endpoint, maxQueryBytes };
  // Validates the endpoint now rather than at the first call.
  toTrackingRequest({ type: 'set', person: 'check', properties: {} }, encoding);
  const mode = options.cors ? 'cors' : 'no-cors';
  const { maxQueueLength = 1000, maxQueueBytes = 512 * 1024 } = options;
  const events = createClientEvents();
  const { emitter } = events;
  const storage = usable(options.storage === undefined ? pageStorage() : options.storage);
  const identity = createIdentityStore(storage, () => randomId(16, clock.random));
  const tabId = randomId(6, clock.random);
  let counter = 0;
  // Unique across tabs and page loads; the padded counter keeps one tab's requests in order.
  const nextId = () => `${tabId}-${(counter++).toString(36).padStart(6, '0')}`;
  let ownDropped = 0;
  let ownDroppedSinceFlush = 0;

  function storeFailed(error: unknown) {
    emitter.emit('warning', {
      code: 'store_failed',
      message:
        'localStorage refused to keep queued events (quota or private mode): they are kept in memory and still sent, but lost if the page closes before they are',
      error,
    });
  }
  if (options.storage !== null && !storage) {
    // After creation, so that a listener attached right after createKissmetrics hears it.
    queueMicrotask(() => storeFailed(new Error('localStorage is not available')));
  }

  // Requests on the wire; requests settled by another tab, which must not be sent from here.
  const onWire = new Set<TrackingRequest>();
  const settledElsewhere = new WeakSet<TrackingRequest>();
  const beaconed = new WeakSet<TrackingRequest>();
  const http = createBrowserTransport({ fetch: options.fetch, mode });
  const transport: Transport = {
    async send(request, signal) {
      // The engine cannot forget a request: one settled elsewhere is answered here, unsent.
      if (settledElsewhere.has(request)) return { status: 200 };
      onWire.add(request);
      try {
        return await http.send(request, signal);
      } finally {
        onWire.delete(request);
      }
    },
  };

  // Requests this tab handed to the sending tab, and the flushes waiting for them.
  const handedOff = new Set<string>();
  let handOffWaiters: HandOffWaiter[] = [];
  function handOffSettled(id: string, outcome: 'delivered' | 'failed' | 'dropped') {
    if (!handedOff.delete(id)) return;
    handOffWaiters = handOffWaiters.filter((waiter) => {
      if (!waiter.waiting.delete(id)) return true;
      if (outcome !== 'dropped') waiter[outcome]++;
      if (waiter.waiting.size > 0) return true;
      waiter.resolve(waiter);
      return false;
    });
  }

  function settleElsewhere(id: string) {
    handOffSettled(id, 'delivered');
    const entry = queue.pending().find((pending) => pending.id === id);
    if (entry && !onWire.has(entry.request)) settledElsewhere.add(entry.request);
  }

  const shared: SharedQueue | undefined = storage
    ? createSharedQueue({
        storage,
        apiKey,
        maxLength: maxQueueLength,
        maxBytes: maxQueueBytes,
        onFailure: storeFailed,
        onAdded: () => void queue.restore(),
        onRemoved: settleElsewhere,
        onCleared() {
          for (const id of [...handedOff]) handOffSettled(id, 'delivered');
        },
      })
    : undefined;

  const queue = createDeliveryQueue({
    transport,
    ...(shared ? { store: shared.store } : {}),
    retry: options.retry,
    concurrency: options.concurrency ?? 4,
    maxQueueLength,
    maxQueueBytes,
    overflow: options.overflow,
    scheduler: clock,
    generateId: nextId,
    paused: true,
  });
  let skipped = 0;
  queue.on('delivered', (event) => {
    handOffSettled(event.id, 'delivered');
    if (settledElsewhere.has(event.request)) skipped++;
    else emitter.emit('delivered', event);
  });
  queue.on('retry', (event) => emitter.emit('retry', event));
  queue.on('error', (event) => {
    // Requests leave the queue only when acknowledged: the next page load tries this one again.
    if (event.reason === 'max_attempts') shared?.keep(event.id);
    handOffSettled(event.id, 'failed');
    emitter.emit('error', event);
  });
  queue.on('drop', (event) => emitter.emit('drop', event));
  queue.on('warning', (event) => emitter.emit('warning', event));

  function dropOwn(reason: 'queue_full' | 'reset', entry: StoredRequest, message: string) {
    ownDropped++;
    ownDroppedSinceFlush++;
    emitter.emit('drop', { reason, request: entry.request, id: entry.id, message });
  }

  // Sends while this tab is the sender and the browser is online; the engine waits otherwise.
  let sender = !shared;
  // What an earlier page left is read when this tab becomes the sender; flush() waits for it.
  let restoring: Promise<unknown> = queue.ready;
  let online = navigator.onLine !== false;
  const update = () => (sender && online ? queue.resume() : queue.pause());
  const election: SenderElection | undefined = shared
    ? electSender({
        name: `kmkit:${apiKey}`,
        locks: navigator.locks,
        storage: storage!,
        clock,
        tabId,
        onChange(sending) {
          sender = sending;
          shared.activate(sending);
          if (sending) restoring = queue.restore();
          update();
        },
      })
    : undefined;
  election?.start();
  update();

  function enqueue(request: TrackingRequest) {
    if (sender || !shared) {
      queue.enqueue(request);
      return;
    }
    const entry: StoredRequest = { id: nextId(), request, enqueuedAt: clock.now() };
    const result = shared.handOff(entry);
    if (result === 'stored') handedOff.add(entry.id);
    else if (result === 'full') {
      dropOwn(
        'queue_full',
        entry,
        `the shared queue is full (maxQueueLength ${maxQueueLength}, maxQueueBytes ${maxQueueBytes}): Kissmetrics has not acknowledged enough of it yet`,
      );
    } else {
      // Storage failed: this tab keeps it, and sends it when it sends or leaves.
      queue.enqueue(request, entry);
    }
  }

  const deliver: Deliver = (call, message) => {
    const current = identity.read();
    let input: Record<string, unknown> = message;
    if (call === 'alias') {
      input = {
        ...message,
        previousId: message.previousId ?? current.userId ?? current.anonymousId,
      };
    } else if (call === 'identify' && named(message.userId)) {
      // Like the Kissmetrics JS: only an anonymous visitor is aliased to the user id it becomes.
      input = {
        ...message,
        anonymousId: current.userId === undefined ? current.anonymousId : null,
      };
    } else if (call !== 'send' || (message.userId == null && message.anonymousId == null)) {
      input = { ...message, userId: current.userId, anonymousId: current.anonymousId };
    }
    const event = parseEvent(input, map);
    const { commands, warnings } = mapEvent(event, map);
    // Encode everything before queueing anything: an invalid call reaches no queue.
    const requests = commands.map((command) =>
      toTrackingRequest(command as KmWireCommand, encoding),
    );
    if (call === 'identify' && event.userId !== undefined) identity.setUserId(event.userId);
    for (const request of requests) enqueue(request);
    events.warn(event.messageId, warnings);
  };
  const calls = createCalls(deliver, events.report);

  function beacon() {
    if (!online || typeof navigator.sendBeacon !== 'function') return;
    const waiting = queue
      .pending()
      .map((entry) => entry.request)
      .filter(
        (request) =>
          !onWire.has(request) && !settledElsewhere.has(request) && !beaconed.has(request),
      );
    const sent = sendBeacons(waiting, {
      sendBeacon: (url, data) => navigator.sendBeacon(url, data),
      fetch: (url, init) => (options.fetch ?? fetch)(url, init),
      mode,
    });
    for (const request of sent) beaconed.add(request);
  }

  addEventListener('online', () => {
    online = true;
    update();
  });
  addEventListener('offline', () => {
    online = false;
    update();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') beacon();
  });
  addEventListener('pagehide', () => {
    beacon();
    // Another tab sends from now on; this page may come back from the back/forward cache.
    election?.stop();
  });
  addEventListener('pageshow', (event) => {
    if (event.persisted) election?.start();
  });

  if (options.autoTrackPages) trackHistory((properties) => calls.page(properties));

  function waitForHandedOff(): Promise<{ delivered: number; failed: number }> {
    if (handedOff.size === 0) return Promise.resolve({ delivered: 0, failed: 0 });
    return new Promise((resolve) => {
      handOffWaiters.push({ waiting: new Set(handedOff), delivered: 0, failed: 0, resolve });
    });
  }

  return {
    ...calls,
    reset(resetOptions) {
      try {
        identity.reset();
        if (!resetOptions?.clearQueue) return;
        const dropped = new Map<string, StoredRequest>();
        const sending = new Set<string>();
        for (const entry of queue.pending()) {
          if (onWire.has(entry.request)) {
            sending.add(entry.id);
          } else {
            settledElsewhere.add(entry.request);
            dropped.set(entry.id, entry);
          }
        }
        for (const entry of shared?.clear(sending) ?? []) dropped.set(entry.id, entry);
        for (const entry of dropped.values()) {
          handOffSettled(entry.id, 'dropped');
          dropOwn('reset', entry, 'dropped by reset({ clearQueue: true }) before it was sent');
        }
      } catch (error) {
        emitter.emit('warning', {
          code: 'call_failed',
          message: `reset() failed: ${String(error)}`,
          error,
        });
      }
    },
    identity() {
      const current = identity.read();
      return Promise.resolve(current.userId ?? current.anonymousId);
    },
    async flush(): Promise<FlushResult> {
      const dropped = ownDroppedSinceFlush;
      ownDroppedSinceFlush = 0;
      await election?.decided;
      await restoring;
      const skippedBefore = skipped;
      const [own, handed] = await Promise.all([queue.flush(), waitForHandedOff()]);
      return {
        delivered: Math.max(0, own.delivered - (skipped - skippedBefore)) + handed.delivered,
        failed: own.failed + handed.failed,
        dropped: own.dropped + dropped,
      };
    },
    on: emitter.on,
    stats() {
      const stats = queue.stats();
      return {
        ...stats,
        delivered: stats.delivered - skipped,
        dropped: stats.dropped + ownDropped,
        invalid: events.invalid(),
        sender,
      };
    },
  };
}
