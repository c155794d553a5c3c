import type { IncomingMessage, ServerOptions, ServerResponse } from 'node:http';
import { type CloseResult, type FlushResult, KmValidationError } from '@kmkit/core';
import {
  checkOptions as checkOptionNames,
  createEmitter,
  type OptionsSpecOf,
} from '@kmkit/core/internal';
import { createKissmetrics, type KissmetricsClient } from '@kmkit/node';
import {
  checkIdentityField,
  createSecretCheck,
  type PostbackAnswer,
  type PostbackOutcome,
  type TapstreamPostback,
} from '../postback/index.js';
import {
  answerBody,
  answerHeaders,
  answerPostback,
  internalError,
  isAllowedMethod,
  methodNotAllowed,
  type PostbackRequest,
  payloadTooLarge,
  refuseQuerySecret,
  requestTimedOut,
} from './answer-postback.js';
import { FORWARDER_OPTIONS } from './forwarder-options.js';
import { createNodeListener } from './node-listener.js';
import { bodyText, declaredLength, readLimited, TIMED_OUT, TOO_LARGE } from './request-body.js';

/**
 * The options of the `@kmkit/node` client a forwarder makes: `KissmetricsOptions` on Node, the
 * edge build's (no spool) where `@kmkit/node` resolves to it (`workerd`, `edge-light`), whose
 * entry has no `KissmetricsOptions` to import.
 */
type OwnClientOptions = Parameters<typeof createKissmetrics>[0];

/**
 * Where a forwarder records: a `@kmkit/node` client of yours (`client`), or the options of the
 * one it makes (`apiKey`, `endpoint`, `spool`...): one or the other, never both.
 */
export type ForwarderClientOptions =
  | ({
      /**
       * A `@kmkit/node` client to record through (to share one). Without it the forwarder creates
       * its own from `apiKey`, `endpoint`, `spool` and the other client options.
       */
      readonly client: KissmetricsClient;
    } & {
      readonly [Option in keyof OwnClientOptions]?: undefined;
    })
  | ({ readonly client?: undefined } & OwnClientOptions);

/** Options of {@link createTapstreamForwarder}: its own, and `client` or the client's options. */
export type TapstreamForwarderOptions = ForwarderOwnOptions & ForwarderClientOptions;

/** The forwarder's own options. */
export interface ForwarderOwnOptions {
  /**
   * The secret the postback URL carries (`postbackUrlTemplate({ secret })`); requests without it
   * are answered 401. Use a long random value.
   */
  readonly secret: string;
  /** The hit custom parameter (and postback parameter) holding the identity. Default `km_identity`. */
  readonly identityField?: string;
  /**
   * The Kissmetrics event name: a fixed one, or one made from the postback's parameters. Default
   * the `event` parameter (`TS{event.name}`), for accounts whose macro is named otherwise.
   */
  readonly eventName?:
    | string
    | ((parameters: Readonly<Record<string, string>>) => string | undefined);
  /** Properties to record with each event, e.g. `({ tracker }) => ({ 'Tapstream Tracker': tracker })`. */
  readonly properties?: (postback: TapstreamPostback) => Record<string, unknown> | undefined;
  /** Bodies over this many bytes are answered 413. Default 65,536. */
  readonly maxBodyBytes?: number;
  /**
   * A request's headers must arrive within this long. Applied by the `node:http` server, which
   * reads headers before any listener runs: pass {@link TapstreamForwarder.serverOptions} to
   * `createServer`, or set your server's `headersTimeout` yourself. Default 10 s.
   */
  readonly headersTimeoutMs?: number;
  /**
   * A request's body must arrive within this long after its headers, else it is answered 408 and
   * the connection closed (by `listener` and `handle`). Default 10 s.
   */
  readonly bodyTimeoutMs?: number;
}

/** Counts of a forwarder's answers since it was created. */
export interface ForwarderStats {
  /** Postbacks recorded in Kissmetrics (answered 200). */
  readonly forwarded: number;
  /** Postbacks ignored on purpose (answered 202: unattributed users). */
  readonly ignored: number;
  /** Requests refused (answered 4xx or 5xx). */
  readonly rejected: number;
}

/** The events of a forwarder, by name. */
export interface ForwarderEvents {
  /** Every answer, with the postback when it was read. */
  postback: PostbackAnswer;
}

/** The `node:http` server options that carry a forwarder's deadlines (`createServer(options, listener)`). */
export interface ForwarderServerOptions
  extends Required<
    Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'>
  > {}

/** A server that forwards Tapstream postbacks of attributed app events to Kissmetrics. */
export interface TapstreamForwarder {
  /**
   * Answers a web `Request` (Next.js route handlers, Hono, workers, Deno, Bun).
   * Never rejects: every failure is an answer.
   */
  handle(request: Request): Promise<Response>;
  /** The same as a `node:http` listener: `http.createServer(forwarder.listener)`, or Express. */
  listener(req: IncomingMessage, res: ServerResponse): void;
  /**
   * Options for `http.createServer(forwarder.serverOptions, forwarder.listener)`: the headers
   * deadline (`headersTimeout`), headers and body together (`requestTimeout`), checked every
   * second at most (`connectionsCheckingInterval`; Node's default checks every 30 s). A listener
   * cannot set them: the server applies them before it calls one.
   */
  readonly serverOptions: ForwarderServerOptions;
  /** The Kissmetrics client the events are recorded through. */
  readonly client: KissmetricsClient;
  /** Resolves once every event recorded so far is delivered or failed for good. */
  flush(): Promise<FlushResult>;
  /**
   * Closes the client the forwarder created (an injected `client` is yours to close, and this
   * resolves `undefined`). Later postbacks are answered 503.
   */
  close(options?: { readonly timeoutMs?: number }): Promise<CloseResult | undefined>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof ForwarderEvents>(
    event: K,
    listener: (payload: ForwarderEvents[K]) => void,
  ): () => void;
  /** Answers so far, by outcome. */
  stats(): ForwarderStats;
}

/** Bodies a forwarder accepts by default: a postback is a few hundred bytes. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** The default deadline for a request's headers, and for its body after them. */
export const DEFAULT_REQUEST_PART_TIMEOUT_MS = 10_000;

function timeoutOption(name: 'headersTimeoutMs' | 'bodyTimeoutMs', value: unknown): number {
  if (value === undefined) return DEFAULT_REQUEST_PART_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new KmValidationError(
      'invalid_option',
      name,
      `${name} must be a whole number of milliseconds > 0, got ${String(value)}`,
    );
  }
  return value;
}

// Every option has its rule in FORWARDER_OPTIONS: a new option without one does not compile.
type CompleteSpec<Spec extends OptionsSpecOf<TapstreamForwarderOptions>> = Spec;
type _CompleteForwarderOptions = CompleteSpec<typeof FORWARDER_OPTIONS>;

function checkOptions(options: TapstreamForwarderOptions) {
  if (typeof options !== 'object' || options === null) {
    throw new KmValidationError(
      'invalid_option',
      '',
      'createTapstreamForwarder takes { apiKey, secret } (or { client, secret })',
    );
  }
  // No unknown name ("did you mean"), each option of its kind; then what needs more words.
  checkOptionNames(options, FORWARDER_OPTIONS, 'createTapstreamForwarder');
  if (typeof options.secret !== 'string' || options.secret === '') {
    throw new KmValidationError(
      'invalid_option',
      'secret',
      'secret is required: a long random value that only your postback URL carries',
    );
  }
  const { eventName, properties } = options;
  if (
    eventName !== undefined &&
    typeof eventName !== 'function' &&
    (typeof eventName !== 'string' || eventName.trim() === '')
  ) {
    throw new KmValidationError(
      'invalid_option',
      'eventName',
      'eventName must be a non-empty string or a function of the postback parameters',
    );
  }
  if (properties !== undefined && typeof properties !== 'function') {
    throw new KmValidationError(
      'invalid_option',
      'properties',
      'properties must be a function of the postback',
    );
  }
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new KmValidationError(
      'invalid_option',
      'maxBodyBytes',
      `maxBodyBytes must be a whole number of bytes >= 0, got ${String(limit)}`,
    );
  }
  return {
    limit,
    headersTimeoutMs: timeoutOption('headersTimeoutMs', options.headersTimeoutMs),
    bodyTimeoutMs: timeoutOption('bodyTimeoutMs', options.bodyTimeoutMs),
  };
}

function ownClient(options: TapstreamForwarderOptions): KissmetricsClient {
  const {
    secret: _secret,
    identityField: _identityField,
    eventName: _eventName,
    properties: _properties,
    maxBodyBytes: _maxBodyBytes,
    headersTimeoutMs: _headersTimeoutMs,
    bodyTimeoutMs: _bodyTimeoutMs,
    client: _client,
    spool,
    ...clientOptions
  } = options;
  return createKissmetrics({
    ...clientOptions,
    ...(spool === undefined ? {} : { spool }),
  } as OwnClientOptions);
}

/**
 * Does what Tapstream's Kissmetrics integration did on its servers: receives Tapstream's
 * postbacks of app events it attributes to a website visitor (the URL from
 * {@link postbackUrlTemplate}) and records each event in Kissmetrics on that visitor's
 * `km_identity`, with `_t` from Tapstream's time (seconds or milliseconds), through the
 * `@kmkit/node` delivery engine (retries, optional crash-safe spool). A repeated postback makes
 * the same request, which Kissmetrics counts once.
 *
 * Answers: 200 once the client accepted the event: with a `spool`, written whole to its journal
 * and synced (delivered later even after a crash); without one, queued in memory (at most once: a
 * process that dies loses what it had queued). 202 for an unattributed user (nothing sent); 400
 * for a malformed identity, name or time; 401 for a missing or wrong secret (compared in constant
 * time, and refused before any body is read when the query carries it); 405 for other methods;
 * 408 for a body slower than `bodyTimeoutMs`; 413 for bodies over 64 KB; 503 with `Retry-After`
 * when the client refuses the event (full, the spool could not write it, closed). Every answer is
 * JSON with `outcome`, `reason` and `message`.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createTapstreamForwarder } from '@kmkit/tapstream-bridge/server';
 *
 * const forwarder = createTapstreamForwarder({
 *   apiKey: process.env.KM_API_KEY!,
 *   secret: process.env.TS_POSTBACK_SECRET!,
 *   spool: { dir: './kmkit-spool' },
 * });
 * createServer(forwarder.serverOptions, forwarder.listener).listen(8080);
 * ```
 *
 * @throws {KmValidationError} for a missing `secret` or `apiKey` (without `client`), or a bad option.
 */
export function createTapstreamForwarder(options: TapstreamForwarderOptions): TapstreamForwarder {
  const { limit, headersTimeoutMs, bodyTimeoutMs } = checkOptions(options);
  const identityField = checkIdentityField(options.identityField);
  if (options.client !== undefined && options.apiKey !== undefined) {
    throw new KmValidationError(
      'invalid_option',
      'client',
      'pass either client (a @kmkit/node client to share) or apiKey (the forwarder makes its own), not both',
    );
  }
  const owned = options.client === undefined;
  const client = options.client ?? ownClient(options);
  const answering = {
    client,
    identityField,
    checkSecret: createSecretCheck(options.secret),
    ...(options.eventName === undefined ? {} : { eventName: options.eventName }),
    ...(options.properties === undefined ? {} : { properties: options.properties }),
  };

  const counts: Record<PostbackOutcome, number> = { forwarded: 0, ignored: 0, rejected: 0 };
  const emitter = createEmitter<ForwarderEvents>();
  const report = (answer: PostbackAnswer) => {
    counts[answer.outcome]++;
    emitter.emit('postback', answer);
  };
  const answer = (request: PostbackRequest) => answerPostback(request, answering);

  async function answerRequest(request: Request): Promise<PostbackAnswer> {
    const method = request.method.toUpperCase();
    if (!isAllowedMethod(method)) return methodNotAllowed(method);
    const unauthorized = refuseQuerySecret(request.url, answering.checkSecret);
    if (unauthorized) return unauthorized;
    const declared = declaredLength(request.headers.get('content-length'));
    if (declared !== undefined && declared > limit) return payloadTooLarge(limit);
    let body = '';
    if (request.body) {
      const bytes = await readLimited(request.body, limit, bodyTimeoutMs);
      if (bytes === TOO_LARGE) return payloadTooLarge(limit);
      if (bytes === TIMED_OUT) return requestTimedOut(bodyTimeoutMs);
      body = bodyText(bytes);
    }
    return answer({
      method,
      url: request.url,
      contentType: request.headers.get('content-type'),
      body,
    });
  }

  async function handle(request: Request): Promise<Response> {
    let result: PostbackAnswer;
    try {
      result = await answerRequest(request);
    } catch (error) {
      result = internalError(error);
    }
    report(result);
    return new Response(answerBody(result), {
      status: result.status,
      headers: answerHeaders(result),
    });
  }

  return {
    handle,
    listener: createNodeListener(
      answer,
      { limit, bodyTimeoutMs, checkSecret: answering.checkSecret },
      report,
    ),
    serverOptions: {
      headersTimeout: headersTimeoutMs,
      requestTimeout: headersTimeoutMs + bodyTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(headersTimeoutMs / 4))),
    },
    client,
    flush: () => client.flush(),
    close: async (closeOptions) => (owned ? client.close(closeOptions) : undefined),
    on: emitter.on,
    stats: () => ({ ...counts }),
  };
}
