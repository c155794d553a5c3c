import type { CloseResult, FlushResult } from '@kmkit/core';
import { createEmitter } from '@kmkit/core/internal';
import { type ClientStats, enqueueRequestOf, type KissmetricsClient } from '../client/client.js';
import { type Answered, answerRequest, type IncomingRelayRequest } from './answer-request.js';
import { type RelayAnswer, type RelayRefusalReason, refusalReply } from './answers.js';
import { createNodeListener, type NodeListener } from './node-listener.js';
import {
  type KissmetricsRelayOptions,
  type ResolvedRelayOptions,
  resolveRelayOptions,
} from './relay-options.js';
import { readWebBody } from './request-body.js';

/** Counts of a relay's answers and of its client's delivery. */
export interface RelayStats {
  /** Requests answered 200: queued (and spooled, with a spool). */
  readonly accepted: number;
  /** Requests refused, by reason (only reasons seen so far). */
  readonly refused: Readonly<Partial<Record<RelayRefusalReason, number>>>;
  /** Accepted requests that had a property dropped or a value cut to fit Kissmetrics' limits. */
  readonly adjusted: number;
  /** Accepted requests sent without `_ip`: no address could be read (see `trustedProxies`). */
  readonly withoutAddress: number;
  /** The relay's client: `queued`, `inFlight`, `concurrency`, `delivered`, `failed`, `dropped`, `retries`, `spool`... */
  readonly client: ClientStats;
  /** True once `close()` was called. */
  readonly closed: boolean;
}

/** The events of a relay, by name. */
export interface RelayEvents {
  /** Every answer (accepted, refused, preflight, health). */
  answer: RelayAnswer;
}

/** What the health answer (`GET <mount>/health`) holds. */
export interface RelayHealth {
  /** `ok` while the relay takes requests; `closed` or `saturated` (its queue is full) answer 503. */
  readonly status: 'ok' | 'closed' | 'saturated';
  readonly queued: number;
  readonly inFlight: number;
  /** Bytes of unacknowledged requests in the spool, when there is one. */
  readonly spoolBytes?: number;
}

/** Extra facts about a web request that the `Request` does not carry. */
export interface RelayRequestInfo {
  /** The socket's peer address (Deno's `info.remoteAddr.hostname`, Bun's `server.requestIP(req)`). */
  readonly remoteAddress?: string;
}

/** A first-party endpoint for `@kmkit/browser`'s cloud mode, forwarding to Kissmetrics. */
export interface KissmetricsRelay {
  /**
   * Answers a web `Request` (Next.js route handlers, Hono, workers, Deno, Bun). Never rejects.
   * Give `info.remoteAddress` where the platform has it; behind a proxy set `trustedProxies`.
   */
  handle(request: Request, info?: RelayRequestInfo): Promise<Response>;
  /** The same as a `node:http` listener: `http.createServer(relay.listener)`, or `app.use('/km', relay.listener)`. */
  readonly listener: NodeListener;
  /** The `@kmkit/node` client the requests go out through (its `delivered`, `error`, `drop` events). */
  readonly client: KissmetricsClient;
  /** Resolves once every request accepted so far is delivered or failed for good. */
  flush(): Promise<FlushResult>;
  /**
   * Stops taking requests (they are answered 503 `closed`), then closes the client: it drains
   * until `timeoutMs` (default 10 s); what is left stays in the spool for the next process.
   */
  close(options?: { readonly timeoutMs?: number }): Promise<CloseResult>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof RelayEvents>(
    event: K,
    listener: (payload: RelayEvents[K]) => void,
  ): () => void;
  /** Counts of answers and of delivery. */
  stats(): RelayStats;
  /** What the health answer says now, and its status (200 or 503). */
  health(): { readonly status: number; readonly body: RelayHealth };
}

/** Makes the relay's client from the delivery options (Node's, with its spool, or the edge one). */
export type RelayClientFactory = (options: ResolvedRelayOptions['client']) => KissmetricsClient;

const internalError = (error: unknown): Answered => {
  const refusal = {
    reason: 'internal_error' as const,
    message: 'the relay failed on this request; nothing was queued',
  };
  return {
    answer: { status: 500, outcome: 'refused', ...refusal, error },
    reply: refusalReply(refusal, 0),
  };
};

/**
 * Builds a relay on a client factory: `@kmkit/node/relay` gives Node's client (undici, spool), the
 * edge build the fetch one. See `createKissmetricsRelay`.
 */
export function createRelay(
  relayOptions: KissmetricsRelayOptions,
  makeClient: RelayClientFactory,
): KissmetricsRelay {
  const options = resolveRelayOptions(relayOptions);
  const client = makeClient(options.client);
  const enqueue = enqueueRequestOf(client);
  if (!enqueue) throw new Error('the relay needs a @kmkit/node client');
  const now = options.client.scheduler?.now ?? Date.now;

  let accepted = 0;
  let adjusted = 0;
  let withoutAddress = 0;
  let closing: Promise<CloseResult> | undefined;
  const refused: Partial<Record<RelayRefusalReason, number>> = {};
  const emitter = createEmitter<RelayEvents>();

  function health(): { status: number; body: RelayHealth } {
    const stats = client.stats();
    const status = closing ? 'closed' : stats.queued >= options.maxQueueLength ? 'saturated' : 'ok';
    return {
      status: status === 'ok' ? 200 : 503,
      body: {
        status,
        queued: stats.queued,
        inFlight: stats.inFlight,
        ...(stats.spool === undefined ? {} : { spoolBytes: stats.spool.bytes }),
      },
    };
  }

  const answering = {
    options,
    now,
    health,
    enqueue: (request: Parameters<typeof enqueue>[0]) =>
      closing ? { accepted: false as const, reason: 'closed' as const } : enqueue(request),
    persisted: () => client.whenPersisted(),
  };
  const answer = (request: IncomingRelayRequest) => answerRequest(request, answering);

  function report({ answer }: Answered): void {
    if (answer.outcome === 'accepted') {
      accepted++;
      if (answer.adjustments.length > 0) adjusted++;
      if (answer.ip === undefined && answer.path !== '/a') withoutAddress++;
    } else if (answer.outcome === 'refused') {
      refused[answer.reason] = (refused[answer.reason] ?? 0) + 1;
    }
    emitter.emit('answer', answer);
  }

  async function handle(request: Request, info: RelayRequestInfo = {}): Promise<Response> {
    const incoming: IncomingRelayRequest = {
      method: request.method,
      url: request.url,
      // A platform that leaves out `Host` still says where the request arrived in its URL.
      header: (name) =>
        request.headers.get(name) ?? (name === 'host' ? new URL(request.url).host : null),
      remoteAddress: info.remoteAddress,
      readBody: () => readWebBody(request, options.maxBodyBytes, options.bodyTimeoutMs),
    };
    const answered = (await answer(incoming).catch(internalError)) ?? internalError('gone');
    report(answered);
    const { reply } = answered;
    return new Response(reply.status === 204 ? null : (reply.body as BodyInit), {
      status: reply.status,
      headers: reply.headers,
    });
  }

  return {
    handle,
    listener: createNodeListener(answer, options, internalError, report),
    client,
    flush: () => client.flush(),
    close(closeOptions) {
      closing ??= client.close(closeOptions);
      return closing;
    },
    on: emitter.on,
    health,
    stats: () => ({
      accepted,
      refused: { ...refused },
      adjusted,
      withoutAddress,
      client: client.stats(),
      closed: closing !== undefined,
    }),
  };
}
