import { KmValidationError, type Scheduler } from '@kmkit/core';
import { classifyStatus, parseRetryAfter, systemScheduler } from '@kmkit/core/internal';
import { KmBridgeError } from '../errors/index.js';
import type { Timeline, TimelineEvent, TimelineHit } from './timeline.js';

/** Options of {@link lookupTimeline}. */
export interface LookupTimelineOptions {
  /** Your Tapstream SDK secret (the one the app SDK is configured with). */
  readonly secret: string;
  /** The app's event session: the `uuid` the Tapstream SDK sends with its events. */
  readonly eventSession: string;
  /**
   * Ask Tapstream to hold the request until the conversion is known (`blocking=true`, as newer
   * SDKs do). Default `false`: poll about once a second instead.
   */
  readonly blocking?: boolean;
  /** Requests in all. Default 10 when polling (Tapstream says it can take 10 s), 1 when blocking. */
  readonly attempts?: number;
  /** The wait between two requests. Default 1000 ms. */
  readonly intervalMs?: number;
  /** Each request is aborted after this long. Default 10 s, 30 s when blocking. */
  readonly timeoutMs?: number;
  /** Base URL of Tapstream's reporting API. Default `https://reporting.tapstream.com`. */
  readonly endpoint?: string;
  /** The `fetch` to use. Default the global one, read at call time. */
  readonly fetch?: typeof fetch;
  /** Clock and timers, for tests; any part left out is the system's. */
  readonly scheduler?: Partial<Scheduler>;
  /** Stops the lookup: it rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Tapstream's reporting API. */
export const TAPSTREAM_REPORTING_ENDPOINT = 'https://reporting.tapstream.com';

type Attempt =
  | { readonly kind: 'found'; readonly timeline: Timeline }
  | { readonly kind: 'not-yet' }
  | {
      readonly kind: 'retry';
      readonly message: string;
      readonly status?: number;
      readonly retryAfterMs?: number;
      readonly cause?: unknown;
    };

function requiredText(value: unknown, path: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new KmValidationError('invalid_option', path, `${path} is required: ${what}`);
  }
  return value;
}

function count(value: number | undefined, fallback: number, path: string, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new KmValidationError(
      'invalid_option',
      path,
      `${path} must be a number >= ${min}, got ${String(value)}`,
    );
  }
  return value;
}

function baseUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new KmValidationError(
      'invalid_option',
      'endpoint',
      `endpoint "${endpoint}" is not an absolute URL: pass a base URL such as ${TAPSTREAM_REPORTING_ENDPOINT}`,
    );
  }
  if (url.search || url.hash) {
    throw new KmValidationError(
      'invalid_option',
      'endpoint',
      `endpoint "${endpoint}" has a query or fragment: pass only scheme, host and optional path`,
    );
  }
  return endpoint.replace(/\/+$/, '');
}

/** Reads an answer body: `[]`, an empty body or no hits mean "not yet". */
function readAnswer(text: string): Attempt {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'not-yet' };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (cause) {
    return {
      kind: 'retry',
      message: `Tapstream answered something that is not JSON: ${JSON.stringify(trimmed.slice(0, 60))}`,
      cause,
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { kind: 'not-yet' };
  const answer = value as Record<string, unknown>;
  const hits = Array.isArray(answer.hits) ? (answer.hits as TimelineHit[]) : [];
  if (hits.length === 0) return { kind: 'not-yet' };
  const events = Array.isArray(answer.events) ? (answer.events as TimelineEvent[]) : [];
  return { kind: 'found', timeline: { ...answer, hits, events } };
}

function aborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new Error('the lookup was aborted');
}

/**
 * Asks Tapstream which click timeline the app's session was attributed to (Onboarding Links'
 * timeline lookup): `GET <endpoint>/v1/timelines/lookup?secret=&event_session=`, repeated about
 * once a second up to `attempts` times (or held by Tapstream with `blocking: true`), as the SDKs
 * do. `[]`, an empty body and an answer without hits mean "not yet".
 *
 * Resolves with the {@link Timeline} once there is one, or `undefined` when the last attempt still
 * said "not yet" (an organic install, or too early: try again on a later launch).
 *
 * @example
 * ```ts
 * const timeline = await lookupTimeline({ secret: 'sdk-secret', eventSession: uuid });
 * const kmIdentity = extractKmIdentity(timeline);
 * ```
 *
 * @throws {KmValidationError} `invalid_option` for a missing secret or event session, or a bad option.
 * @throws {KmBridgeError} `lookup_rejected` on a final status (4xx except 408 and 429: wrong secret,
 * not a paid account), `lookup_failed` when the last attempt failed (network, timeout, 5xx).
 */
export async function lookupTimeline(
  options: LookupTimelineOptions,
): Promise<Timeline | undefined> {
  const secret = requiredText(options?.secret, 'secret', 'pass your Tapstream SDK secret');
  const eventSession = requiredText(
    options.eventSession,
    'eventSession',
    "pass the app's Tapstream event session (the uuid its events carry)",
  );
  const blocking = options.blocking === true;
  const attempts = Math.floor(count(options.attempts, blocking ? 1 : 10, 'attempts', 1));
  const intervalMs = count(options.intervalMs, 1000, 'intervalMs', 0);
  const timeoutMs = count(options.timeoutMs, blocking ? 30_000 : 10_000, 'timeoutMs', 1);
  const base = baseUrl(options.endpoint ?? TAPSTREAM_REPORTING_ENDPOINT);
  const clock: Scheduler = { ...systemScheduler, ...options.scheduler };
  const { signal } = options;
  const url = `${base}/v1/timelines/lookup?secret=${encodeURIComponent(secret)}&event_session=${encodeURIComponent(eventSession)}${blocking ? '&blocking=true' : ''}`;

  async function attempt(): Promise<Attempt> {
    const controller = new AbortController();
    const timer = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    void clock.sleep(timeoutMs, timer.signal, true).then(() => {
      if (timer.signal.aborted) return;
      timedOut = true;
      controller.abort();
    });
    try {
      const doFetch = options.fetch ?? globalThis.fetch;
      const response = await doFetch(url, {
        method: 'GET',
        headers: { accept: 'application/json' },
        signal: controller.signal,
      });
      const verdict = classifyStatus(response.status);
      const text = await response.text();
      if (verdict === 'delivered') return readAnswer(text);
      if (verdict === 'failed') {
        const what =
          response.status === 401 || response.status === 403
            ? 'check the SDK secret (and that the account has Onboarding Links)'
            : 'check the secret and the event session';
        throw new KmBridgeError(
          'lookup_rejected',
          response.status === 401 || response.status === 403 ? 'secret' : 'eventSession',
          `Tapstream refused the timeline lookup with ${response.status}: ${what}`,
          { status: response.status },
        );
      }
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), clock.now());
      return {
        kind: 'retry',
        message: `Tapstream answered ${response.status}`,
        status: response.status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    } catch (error) {
      if (error instanceof KmBridgeError) throw error;
      aborted(signal);
      return {
        kind: 'retry',
        message: timedOut
          ? `no answer within ${timeoutMs} ms (timeoutMs)`
          : `the request failed: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
      };
    } finally {
      timer.abort();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  let last: Attempt = { kind: 'not-yet' };
  for (let number = 1; number <= attempts; number++) {
    aborted(signal);
    if (number > 1) {
      const wait =
        last.kind === 'retry' ? Math.max(intervalMs, last.retryAfterMs ?? 0) : intervalMs;
      await clock.sleep(wait, signal, true);
      aborted(signal);
    }
    last = await attempt();
    if (last.kind === 'found') return last.timeline;
  }
  if (last.kind === 'retry') {
    throw new KmBridgeError(
      'lookup_failed',
      'endpoint',
      `the timeline lookup failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${last.message}. Try again later (e.g. on the next launch)`,
      {
        ...(last.status === undefined ? {} : { status: last.status }),
        ...(last.cause === undefined ? {} : { cause: last.cause }),
      },
    );
  }
  return undefined;
}
