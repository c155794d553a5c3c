import { DEFAULT_ENDPOINT, type KmLimits, KmValidationError } from '@kmkit/core';
import { checkOptions, type OptionsSpecOf, resolveLimits } from '@kmkit/core/internal';
import type { ClientOptions } from '../client/client.js';
import type { KissmetricsOptions } from '../node/create-kissmetrics.js';
import { KISSMETRICS_OPTIONS } from '../node/kissmetrics-options.js';
import type { AllowedOrigins } from './cors.js';

/** The delivery options of `@kmkit/node` a relay passes to its client (mapping options do not apply). */
export type RelayDeliveryOptions = Pick<
  KissmetricsOptions,
  | 'maxConcurrency'
  | 'concurrency'
  | 'timeoutMs'
  | 'retry'
  | 'maxQueueLength'
  | 'maxQueueBytes'
  | 'maxQueryBytes'
  | 'dispatcher'
  | 'fetch'
  | 'keepAliveTimeoutMs'
  | 'waitUntil'
  | 'scheduler'
>;

/** The API keys a relay accepts and forwards: `apiKey` or `apiKeys`, exactly one of them. */
export type RelayApiKeys =
  | {
      /** The Kissmetrics API key the relay accepts and forwards (give this or `apiKeys`). */
      readonly apiKey: string;
      readonly apiKeys?: undefined;
    }
  | {
      readonly apiKey?: undefined;
      /** The API keys it accepts and forwards; a request naming any other is refused (403). */
      readonly apiKeys: readonly string[];
    };

/** Options of `createKissmetricsRelay`: `apiKey` or `apiKeys`, and the rest. */
export type KissmetricsRelayOptions = RelayApiKeys & RelayOwnOptions;

/**
 * Options of the edge build's `createKissmetricsRelay` (exported there as
 * `KissmetricsRelayOptions`): no `spool`, which needs a local disk, and none of undici's options.
 */
export type EdgeKissmetricsRelayOptions = KissmetricsRelayOptions & {
  readonly spool?: undefined;
  readonly dispatcher?: undefined;
  readonly keepAliveTimeoutMs?: undefined;
};

/** The options of `createKissmetricsRelay` besides its API keys. */
export interface RelayOwnOptions extends RelayDeliveryOptions {
  /** Kissmetrics' base URL, default `https://trk.kissmetrics.io`. */
  readonly endpoint?: string;
  /**
   * Origins of the pages that may send from another origin than the relay's
   * (`['https://www.example.com']`): their requests get CORS headers, and preflights are answered.
   * A request from any other origin is refused (403). `'*'` allows every page. Default: none (the
   * relay's own origin only).
   */
  readonly allowedOrigins?: readonly string[] | '*';
  /**
   * How many proxies in front of the relay append to `X-Forwarded-For` (a load balancer: 1; a CDN
   * and a load balancer: 2). The visitor's address is the entry the outermost one wrote. Default 0:
   * the socket's peer, and `X-Forwarded-For` is ignored, since any client can write it.
   */
  readonly trustedProxies?: number;
  /**
   * A crash-safe spool directory (one per process): every accepted request is written to it before
   * the browser gets its 200, and kept until Kissmetrics acknowledges it. Node only.
   */
  readonly spool?: KissmetricsOptions['spool'];
  /** Bodies over this many bytes are refused (413). Default 65,536, the browsers' beacon budget. */
  readonly maxBodyBytes?: number;
  /** URLs over this many bytes are refused (414). Default 16,384 (Node's header limit). */
  readonly maxUrlBytes?: number;
  /** Requests with more parameters are refused (400). Default 256. */
  readonly maxParameters?: number;
  /** A body must arrive whole within this long after the headers, else 408. Default 10,000 ms. */
  readonly bodyTimeoutMs?: number;
  /** Name and value lengths (255 / 512, Kissmetrics' limits). */
  readonly limits?: KmLimits;
  /** The `Retry-After` of a 503, in seconds. Default 5. */
  readonly retryAfterSeconds?: number;
}

/** The options read and checked, defaults filled in. */
export interface ResolvedRelayOptions {
  readonly apiKeys: ReadonlySet<string>;
  readonly endpoint: string;
  readonly allowedOrigins: AllowedOrigins;
  readonly trustedProxies: number;
  readonly maxBodyBytes: number;
  readonly maxUrlBytes: number;
  readonly maxParameters: number;
  readonly bodyTimeoutMs: number;
  readonly nameLength: number;
  readonly valueLength: number;
  readonly retryAfterSeconds: number;
  readonly maxQueueLength: number;
  /** What the relay's client is made with. */
  readonly client: ClientOptions &
    Pick<KissmetricsOptions, 'spool' | 'dispatcher' | 'fetch' | 'keepAliveTimeoutMs'>;
}

/** The rules of the relay's options for `checkOptions`: its own, and the client's delivery ones. */
const RELAY_OPTIONS = {
  apiKey: 'string',
  apiKeys: 'array',
  endpoint: 'string',
  allowedOrigins: 'array | string',
  trustedProxies: 'number',
  spool: KISSMETRICS_OPTIONS.spool,
  maxBodyBytes: 'number',
  maxUrlBytes: 'number',
  maxParameters: 'number',
  bodyTimeoutMs: 'number',
  limits: KISSMETRICS_OPTIONS.limits,
  retryAfterSeconds: 'number',
  maxConcurrency: 'number',
  concurrency: 'number',
  timeoutMs: 'number',
  retry: KISSMETRICS_OPTIONS.retry,
  maxQueueLength: 'number',
  maxQueueBytes: 'number',
  maxQueryBytes: 'number',
  dispatcher: 'object',
  fetch: 'function',
  keepAliveTimeoutMs: 'number',
  waitUntil: 'function',
  scheduler: 'object',
} as const satisfies OptionsSpecOf<KissmetricsRelayOptions>;

const invalid = (path: string, message: string) =>
  new KmValidationError('invalid_option', path, message);

function wholeNumber(
  options: KissmetricsRelayOptions,
  key:
    | 'trustedProxies'
    | 'maxBodyBytes'
    | 'maxUrlBytes'
    | 'maxParameters'
    | 'bodyTimeoutMs'
    | 'retryAfterSeconds',
  fallback: number,
  min: number,
): number {
  const value = options[key] ?? fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw invalid(key, `${key} must be a whole number >= ${min}, got ${String(value)}`);
  }
  return value;
}

function checkKeys(options: KissmetricsRelayOptions): string[] {
  const { apiKey, apiKeys } = options;
  if (apiKey !== undefined && apiKeys !== undefined) {
    throw invalid('apiKeys', 'pass apiKey (one product) or apiKeys (several), not both');
  }
  const keys = apiKeys ?? (apiKey === undefined ? [] : [apiKey]);
  if (!Array.isArray(keys) || keys.length === 0) {
    throw invalid(
      apiKeys === undefined ? 'apiKey' : 'apiKeys',
      'apiKey (or apiKeys) is required: the relay forwards only the Kissmetrics API keys you name, never anyone else',
    );
  }
  keys.forEach((key, index) => {
    if (typeof key !== 'string' || key.trim() === '') {
      throw invalid(
        apiKeys === undefined ? 'apiKey' : `apiKeys[${index}]`,
        'an API key must be a non-empty string (Product Settings in Kissmetrics)',
      );
    }
  });
  return keys;
}

function checkOrigins(value: KissmetricsRelayOptions['allowedOrigins']): AllowedOrigins {
  if (value === undefined) return new Set();
  if (value === '*') return '*';
  if (!Array.isArray(value)) {
    throw invalid('allowedOrigins', "allowedOrigins must be a list of origins (or '*')");
  }
  return new Set(
    value.map((origin, index) => {
      let url: URL | undefined;
      try {
        url = new URL(String(origin));
      } catch {}
      if (!url || url.origin === 'null' || url.origin !== String(origin).replace(/\/$/, '')) {
        throw invalid(
          `allowedOrigins[${index}]`,
          `"${String(origin)}" is not an origin: give scheme, host and port only, e.g. https://www.example.com`,
        );
      }
      return url.origin;
    }),
  );
}

function checkEndpoint(value: string | undefined): string {
  const endpoint = value ?? DEFAULT_ENDPOINT;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {}
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw invalid(
      'endpoint',
      `endpoint "${endpoint}" is not a base URL: give Kissmetrics' (https://trk.kissmetrics.io) or your emulator's`,
    );
  }
  return endpoint.replace(/\/+$/, '');
}

/**
 * Reads a relay's options, with their defaults.
 *
 * @throws {KmValidationError} `invalid_option` naming the option.
 */
export function resolveRelayOptions(options: KissmetricsRelayOptions): ResolvedRelayOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalid('', 'createKissmetricsRelay takes { apiKey (or apiKeys), allowedOrigins?, ... }');
  }
  if ((options as { overflow?: unknown }).overflow !== undefined) {
    // An evicted request was already answered 200: the browser has let go of it.
    throw invalid(
      'overflow',
      'a relay cannot evict what it acknowledged: it always refuses (503) at its caps, so overflow is not an option',
    );
  }
  checkOptions(options, RELAY_OPTIONS, 'createKissmetricsRelay');
  const keys = checkKeys(options);
  const limits = resolveLimits(options.limits);
  const {
    apiKey: _apiKey,
    apiKeys: _apiKeys,
    allowedOrigins,
    trustedProxies: _trustedProxies,
    maxBodyBytes: _maxBodyBytes,
    maxUrlBytes: _maxUrlBytes,
    maxParameters: _maxParameters,
    bodyTimeoutMs: _bodyTimeoutMs,
    limits: _limits,
    retryAfterSeconds: _retryAfterSeconds,
    ...delivery
  } = options;
  const endpoint = checkEndpoint(options.endpoint);
  return {
    apiKeys: new Set(keys),
    endpoint,
    allowedOrigins: checkOrigins(allowedOrigins),
    trustedProxies: wholeNumber(options, 'trustedProxies', 0, 0),
    maxBodyBytes: wholeNumber(options, 'maxBodyBytes', 64 * 1024, 0),
    maxUrlBytes: wholeNumber(options, 'maxUrlBytes', 16 * 1024, 64),
    maxParameters: wholeNumber(options, 'maxParameters', 256, 4),
    bodyTimeoutMs: wholeNumber(options, 'bodyTimeoutMs', 10_000, 1),
    retryAfterSeconds: wholeNumber(options, 'retryAfterSeconds', 5, 0),
    nameLength: limits.nameLength,
    valueLength: limits.valueLength,
    maxQueueLength: options.maxQueueLength ?? 10_000,
    client: { ...delivery, apiKey: keys[0]!, endpoint, overflow: 'refuse' },
  };
}
