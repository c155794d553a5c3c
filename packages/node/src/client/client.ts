import type {
  AliasParams,
  GroupParams,
  IdentifyParams,
  PageParams,
  ScreenParams,
  TrackParams,
} from '@kmkit/core';
import {
  type CloseResult,
  createDeliveryQueue,
  type DeliveryStats,
  type DropReason,
  type FlushResult,
  type KmPlugin,
  type KmWarning,
  type OverflowPolicy,
  type RetryPolicy,
  type Scheduler,
  type SpecMessageType,
  type TrackingRequest,
  type Transport,
  toTrackingRequest,
} from '@kmkit/core';
import { createEmitter, resolveScheduler } from '@kmkit/core/internal';
import { createMessagePreparer, type MessageMappingOptions } from '../pipeline/index.js';
import type { Spool, SpoolStats } from '../spool/spool.js';
import type { ClientEvents } from './events.js';

/** Options every kmkit server client takes, on Node and on fetch-only runtimes. */
export interface ClientOptions extends MessageMappingOptions {
  /** Your Kissmetrics API key (`_k`). */
  readonly apiKey: string;
  /**
   * Steps between parsing and mapping (`before`, then `enrichment`), from `@kmkit/core`. A plugin
   * returning `null` drops the message: a `drop` event names it.
   */
  readonly plugins?: readonly KmPlugin[];
  /** Base URL of the tracking API, default `https://trk.kissmetrics.io` (a proxy path works). */
  readonly endpoint?: string;
  /**
   * The most requests in flight at once (and keep-alive connections). Within it the client adapts:
   * it starts at 32 and sends more while requests wait and answers come back healthy and quick, fewer
   * on timeouts, 5xx and 429 (`stats().concurrency` is the current window). Default 512, enough for
   * thousands of events a second over a 100 ms round trip.
   */
  readonly maxConcurrency?: number;
  /**
   * @deprecated Read as `maxConcurrency` (a bound, so nobody gets more requests in flight than they
   * asked for); the window adapts below it. Use `maxConcurrency`.
   */
  readonly concurrency?: number;
  /** Each attempt is aborted and retried after this long without an answer. Default 10 s. */
  readonly timeoutMs?: number;
  /** Overrides of the retry policy (attempts, backoff, maximum age). */
  readonly retry?: Partial<RetryPolicy>;
  /** At most this many requests queued (in flight included). Default 10,000. */
  readonly maxQueueLength?: number;
  /** At most this many bytes of URLs and bodies queued. Default 16 MiB. */
  readonly maxQueueBytes?: number;
  /**
   * At a cap: `'refuse'` (default) turns new events away, `'drop-oldest'` evicts the oldest waiting
   * ones. Each loss is a `drop` event and counted in `stats().dropped`: never silent.
   */
  readonly overflow?: OverflowPolicy;
  /** Past this many bytes of query string a request becomes a POST. Default 2048. */
  readonly maxQueryBytes?: number;
  /**
   * Keeps a serverless invocation alive until its events are delivered: every call hands the
   * platform a `flush()` promise (Vercel's `waitUntil`, Cloudflare's `ctx.waitUntil`).
   */
  readonly waitUntil?: (promise: Promise<unknown>) => void;
  /** Clock, timers and randomness, for tests; any part left out is the system's. */
  readonly scheduler?: Partial<Scheduler>;
}

/**
 * What a call returns, at once (delivery is reported by events and `flush()`).
 * `accepted` is false when the message was filtered by a plugin or a request of it was refused
 * at a cap (each refusal is also a `drop` event).
 */
export interface CallResult {
  /** The message's `messageId`, or the one generated for it. */
  readonly messageId: string;
  /** True when every request of the message was queued. */
  readonly accepted: boolean;
  /** Requests queued for it (an identify with an anonymous id makes two: `/s` and `/a`). */
  readonly queued: number;
  /** What the mapping changed or left out; each is also a `warning` event. */
  readonly warnings: readonly KmWarning[];
}

/** The engine's counts plus the client's own. `dropped` counts every `drop` event. */
export interface ClientStats extends DeliveryStats {
  /** The spool's figures, when there is one. */
  readonly spool?: SpoolStats;
}

/** A Kissmetrics server client. Every method that takes a message validates it synchronously. */
export interface KissmetricsClient {
  /** Sets the traits on the person (`/s`); with `userId` and `anonymousId` also aliases them. */
  identify(message: IdentifyParams): CallResult;
  /** Records an event (`/e`) with its properties. */
  track(message: TrackParams): CallResult;
  /** Records a page view (`Viewed <category> <name> page`). */
  page(message: PageParams): CallResult;
  /** Records a screen view (`Viewed <category> <name> screen`). */
  screen(message: ScreenParams): CallResult;
  /** Declares `previousId` (or `anonymousId`) and `userId` one person (`/a`). */
  alias(message: AliasParams): CallResult;
  /** Sets the group's traits on the person as `Group - <trait>`. */
  group(message: GroupParams): CallResult;
  /**
   * Resolves when everything queued before the call is delivered or failed for good (what an
   * earlier process left in the spool included). Concurrent calls share the work.
   */
  flush(): Promise<FlushResult>;
  /**
   * Resolves once every event accepted before the call is on disk, so that not even a power cut
   * loses it: with a spool, after an `fdatasync` of its journal that concurrent callers share (one
   * sync for all the calls of an event-loop turn); at once without a spool (memory is then the
   * durability you chose) or with `spool.fsync: 'always'` / `'never'`. What a server built on the
   * client awaits before it answers 2xx (the Tapstream forwarder and the relay do).
   * @throws (rejects with) a `KmSpoolError` `spool_write_failed` when the disk refuses the sync.
   */
  whenPersisted(): Promise<void>;
  /**
   * Stops accepting events, drains until `timeoutMs` (default 10 s), then aborts what is in flight.
   * Unsent requests stay in the spool when there is one, else are reported as drops. Idempotent.
   */
  close(options?: { readonly timeoutMs?: number }): Promise<CloseResult>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof ClientEvents>(
    event: K,
    listener: (payload: ClientEvents[K]) => void,
  ): () => void;
  /** Counts and state. */
  stats(): ClientStats;
}

/** What a runtime gives the client: how to send, and where to persist. */
export interface ClientRuntime {
  readonly transport: Transport;
  /** Releases the transport's connections after `close()`. */
  readonly closeTransport?: () => Promise<void>;
  readonly spool?: Spool;
  /** Set by the runtime to receive its transport's and spool's warnings. */
  readonly bindWarnings?: (emit: (warning: ClientEvents['warning']) => void) => void;
}

/**
 * The default bound of the adaptive window: throughput over a network is about requests in flight /
 * round trip, so 512 carry about 2,500 requests/s at 200 ms and 6,000/s at 80 ms.
 */
export const DEFAULT_MAX_CONCURRENCY = 512;

/** The window's start: what the loopback bench likes, and one round trip's worth of a busy server. */
export const DEFAULT_INITIAL_CONCURRENCY = 32;

/**
 * Creates a client on a runtime's transport: parse, map, encode, then queue in the delivery engine.
 * Used by `createKissmetrics` of `@kmkit/node` and of `@kmkit/node/edge`.
 */
export function createClient(options: ClientOptions, runtime: ClientRuntime): KissmetricsClient {
  const {
    apiKey,
    endpoint,
    concurrency,
    maxConcurrency,
    timeoutMs,
    retry,
    maxQueueLength,
    maxQueueBytes,
    overflow,
    maxQueryBytes,
    waitUntil,
    scheduler,
    plugins,
    ...mapping
  } = options;
  const { spool } = runtime;
  const clock: Required<Scheduler> = resolveScheduler(scheduler);
  // Validates the key and endpoint now, rather than at the first call.
  toTrackingRequest({ type: 'set', person: 'check', properties: {} }, { apiKey, endpoint });

  const emitter = createEmitter<ClientEvents>((error, event) => {
    if (event !== 'warning') {
      emitter.emit('warning', {
        code: 'listener_failed',
        message: `a "${String(event)}" listener threw`,
        error,
      });
    }
  });
  runtime.bindWarnings?.((warning) => emitter.emit('warning', warning));

  const queue = createDeliveryQueue({
    transport: runtime.transport,
    ...(spool === undefined ? {} : { store: spool.store }),
    retry: timeoutMs === undefined ? { ...retry } : { ...retry, timeoutMs },
    // The deprecated `concurrency` is passed as itself, so a bad value is reported under its name.
    ...(maxConcurrency === undefined && concurrency !== undefined
      ? { concurrency }
      : { maxConcurrency: maxConcurrency ?? DEFAULT_MAX_CONCURRENCY }),
    initialConcurrency: DEFAULT_INITIAL_CONCURRENCY,
    ...(maxQueueLength === undefined ? {} : { maxQueueLength }),
    ...(maxQueueBytes === undefined ? {} : { maxQueueBytes }),
    ...(overflow === undefined ? {} : { overflow }),
    scheduler: clock,
  });
  queue.on('delivered', (event) => emitter.emit('delivered', event));
  queue.on('retry', (event) => emitter.emit('retry', event));
  queue.on('error', (event) => emitter.emit('error', event));
  queue.on('drop', (event) => emitter.emit('drop', event));
  queue.on('warning', (event) => emitter.emit('warning', event));

  const prepare = createMessagePreparer(mapping, clock.now, plugins);
  const encoding = {
    apiKey,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(maxQueryBytes === undefined ? {} : { maxQueryBytes }),
  };
  // Drops the engine does not see (spool full, plugins), in totals and since the last flush.
  let ownDropped = 0;
  let ownDroppedSinceFlush = 0;
  let closing: Promise<CloseResult> | undefined;
  let flushScheduled = false;

  function refuseSpoolFull(request: TrackingRequest) {
    ownDropped++;
    ownDroppedSinceFlush++;
    emitter.emit('drop', {
      reason: 'spool_full',
      request,
      message:
        'the spool journal is full (spool.maxBytes): Kissmetrics has not acknowledged enough of it yet',
    });
  }

  function enqueue(request: TrackingRequest): boolean {
    if (spool && !closing) {
      if (!spool.fits(request.url.length + (request.body?.length ?? 0))) {
        refuseSpoolFull(request);
        return false;
      }
    }
    return queue.enqueue(request).accepted;
  }

  // The relay's way in: a request already encoded (by a browser), queued and spooled like a call's.
  function enqueueRequest(request: TrackingRequest): RequestEnqueueResult {
    if (spool && !closing && !spool.fits(request.url.length + (request.body?.length ?? 0))) {
      refuseSpoolFull(request);
      return { accepted: false, reason: 'spool_full' };
    }
    const result = queue.enqueue(request);
    if (!result.accepted) return { accepted: false, reason: result.reason };
    scheduleFlush();
    return { accepted: true };
  }

  function scheduleFlush() {
    if (!waitUntil || flushScheduled) return;
    flushScheduled = true;
    // One flush for every call made in the same tick.
    const flushing = Promise.resolve().then(() => {
      flushScheduled = false;
      return flush();
    });
    waitUntil(flushing);
  }

  function call(type: SpecMessageType, message: unknown): CallResult {
    const { event, commands, warnings, droppedBy, pluginErrors } = prepare(type, message);
    const { messageId } = event;
    for (const { plugin, error } of pluginErrors) {
      emitter.emit('warning', {
        code: 'plugin_failed',
        plugin,
        messageId,
        message: `plugin "${plugin}" failed and was skipped: ${error instanceof Error ? error.message : String(error)}`,
        error,
      });
    }
    if (droppedBy !== undefined) {
      ownDropped++;
      ownDroppedSinceFlush++;
      emitter.emit('drop', {
        reason: 'plugin',
        plugin: droppedBy,
        messageId,
        message: `plugin "${droppedBy}" dropped the message`,
      });
      return { messageId, accepted: false, queued: 0, warnings };
    }
    // Encode everything before queueing anything: an invalid message reaches no queue.
    const requests = commands.map((command) => toTrackingRequest(command, encoding));
    let queued = 0;
    for (const request of requests) if (enqueue(request)) queued++;
    for (const warning of warnings) {
      emitter.emit('warning', { ...warning, messageId });
    }
    if (queued > 0) scheduleFlush();
    return { messageId, accepted: queued === requests.length, queued, warnings };
  }

  async function flush(): Promise<FlushResult> {
    const dropped = ownDroppedSinceFlush;
    ownDroppedSinceFlush = 0;
    const result = await queue.flush();
    spool?.sync();
    return { ...result, dropped: result.dropped + dropped };
  }

  function close(closeOptions: { timeoutMs?: number } = {}): Promise<CloseResult> {
    closing ??= (async () => {
      const dropped = ownDroppedSinceFlush;
      ownDroppedSinceFlush = 0;
      const result = await queue.close(closeOptions);
      spool?.close();
      await runtime.closeTransport?.();
      return { ...result, dropped: result.dropped + dropped };
    })();
    return closing;
  }

  const client: KissmetricsClient = {
    identify: (message) => call('identify', message),
    track: (message) => call('track', message),
    page: (message) => call('page', message),
    screen: (message) => call('screen', message),
    alias: (message) => call('alias', message),
    group: (message) => call('group', message),
    flush,
    whenPersisted: () => (spool === undefined ? Promise.resolve() : spool.whenSynced()),
    close,
    on: emitter.on,
    stats() {
      const stats = queue.stats();
      return {
        ...stats,
        dropped: stats.dropped + ownDropped,
        ...(spool === undefined ? {} : { spool: spool.stats() }),
      };
    },
  };
  // Internal (not on the public type, not enumerable): see enqueueRequestOf.
  Object.defineProperty(client, ENQUEUE_REQUEST, { value: enqueueRequest });
  return client;
}

/** What {@link enqueueRequestOf}'s function returns: queued, or why not (a `drop` event says it too). */
export type RequestEnqueueResult =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly reason: DropReason | 'spool_full' };

const ENQUEUE_REQUEST = Symbol.for('@kmkit/node/enqueueRequest');

/**
 * Internal, for `@kmkit/node/relay`: the client's way to queue an already-encoded tracking request
 * through its engine and spool (true only once it is queued, and written to the spool when there
 * is one). Undefined for an object that is not a kmkit client.
 *
 * @internal
 */
export function enqueueRequestOf(
  client: KissmetricsClient,
): ((request: TrackingRequest) => RequestEnqueueResult) | undefined {
  return (client as unknown as Record<symbol, (request: TrackingRequest) => RequestEnqueueResult>)[
    ENQUEUE_REQUEST
  ];
}
