import { isKmValidationError } from '@kmkit/core';
import type { KissmetricsClient } from '@kmkit/node';
import {
  isPostback,
  POSTBACK_PARAMETERS,
  type PostbackAnswer,
  type PostbackReading,
  readPostback,
  type TapstreamPostback,
} from '../postback/index.js';

/** A request as the forwarder reads it, whichever server it came through. */
export interface PostbackRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The request URL: absolute, or a path with its query (`/tapstream?secret=...`). */
  readonly url: string;
  /** The `content-type` header, if any. */
  readonly contentType: string | null | undefined;
  /** The body as text (`''` for none). */
  readonly body: string;
}

/** What the forwarder needs to answer a postback. */
export interface PostbackAnswering extends PostbackReading {
  readonly client: KissmetricsClient;
  readonly properties?: (postback: TapstreamPostback) => Record<string, unknown> | undefined;
}

/** The methods a postback may use. */
export const ALLOWED_METHODS = 'GET, POST';

/** True for the methods the forwarder serves. */
export function isAllowedMethod(method: string): boolean {
  return method === 'GET' || method === 'POST';
}

/** The answer to a method other than GET and POST. */
export function methodNotAllowed(method: string): PostbackAnswer {
  return {
    status: 405,
    outcome: 'rejected',
    reason: 'method_not_allowed',
    message: `${method.slice(0, 20)} is not allowed: Tapstream postbacks use GET (or POST with a form body)`,
  };
}

/** The answer to a body over the limit. */
export function payloadTooLarge(limit: number): PostbackAnswer {
  return {
    status: 413,
    outcome: 'rejected',
    reason: 'payload_too_large',
    message: `the body is over ${limit} bytes: a postback is a few hundred`,
  };
}

/** The answer to a request whose body did not arrive in time. */
export function requestTimedOut(timeoutMs: number): PostbackAnswer {
  return {
    status: 408,
    outcome: 'rejected',
    reason: 'request_timeout',
    message: `the request body did not arrive within ${timeoutMs} ms: nothing was sent`,
  };
}

/**
 * The 401 for a request whose query carries a wrong secret, before any of its body is read (so
 * a caller without the secret cannot hold a connection by sending a body slowly); undefined when
 * the query has the right secret or none (it may come in a form body).
 */
export function refuseQuerySecret(
  url: string,
  checkSecret: PostbackReading['checkSecret'],
): PostbackAnswer | undefined {
  let given: string | null;
  try {
    given = new URL(url, 'http://localhost').searchParams.get(POSTBACK_PARAMETERS.secret);
  } catch {
    return undefined;
  }
  if (given === null || checkSecret(given)) return undefined;
  return {
    status: 401,
    outcome: 'rejected',
    reason: 'unauthorized',
    message: 'the secret is missing or wrong: nothing was sent',
  };
}

/** The answer when something failed unexpectedly. */
export function internalError(error: unknown): PostbackAnswer {
  return {
    status: 500,
    outcome: 'rejected',
    reason: 'internal_error',
    message: 'the forwarder failed on this postback; nothing was sent',
    error,
  };
}

function isFormBody(contentType: string | null | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === '' || type === 'application/x-www-form-urlencoded' || type === 'text/plain';
}

function* pairsOf(url: URL, request: PostbackRequest): Iterable<[string, string]> {
  yield* url.searchParams;
  if (request.body !== '' && isFormBody(request.contentType)) {
    yield* new URLSearchParams(request.body);
  }
}

/**
 * Answers one postback: reads it, and records the event on the visitor's identity through the
 * Kissmetrics client, with `_t` from Tapstream's time. A 200 means the client accepted the event
 * and, with a spool, that it is written whole in the journal and forced to disk (a refusal, e.g.
 * a full disk, is a 503); without one, that it is queued in memory.
 */
export function answerPostback(
  request: PostbackRequest,
  answering: PostbackAnswering,
): PostbackAnswer | Promise<PostbackAnswer> {
  let url: URL;
  try {
    url = new URL(request.url, 'http://localhost');
  } catch {
    return {
      status: 400,
      outcome: 'rejected',
      reason: 'invalid_request',
      message: 'the request URL cannot be read',
    };
  }
  let postback: TapstreamPostback;
  try {
    const read = readPostback(pairsOf(url, request), answering);
    if (!isPostback(read)) return read;
    postback = read;
  } catch (error) {
    return internalError(error);
  }

  let properties: Record<string, unknown> | undefined;
  try {
    properties = answering.properties?.(postback);
  } catch (error) {
    return { ...internalError(error), postback };
  }
  // Why the client refused it, if it did: its drop is emitted during track().
  let refusal: string | undefined;
  const unwatch = answering.client.on('drop', (drop) => {
    refusal = drop.reason;
  });
  try {
    const result = answering.client.track({
      anonymousId: postback.identity,
      event: postback.event,
      timestamp: new Date(postback.time * 1000),
      ...(properties === undefined ? {} : { properties }),
    });
    if (!result.accepted) {
      return {
        status: 503,
        outcome: 'rejected',
        reason: 'not_accepted',
        message: `the Kissmetrics client did not accept the event (${refusal ?? 'refused'}: its queue or spool is full, the spool could not write it, or it is closed): nothing was kept, try again later`,
        postback,
      };
    }
  } catch (error) {
    if (isKmValidationError(error)) {
      return {
        status: 400,
        outcome: 'rejected',
        reason: 'invalid_event',
        message: `Kissmetrics' rules refuse this event (${error.code} at ${error.path}): ${error.message}`,
        postback,
        error,
      };
    }
    return { ...internalError(error), postback };
  } finally {
    unwatch();
  }
  const forwarded: PostbackAnswer = {
    status: 200,
    outcome: 'forwarded',
    message: `recorded "${postback.event}" on ${postback.identity} at ${postback.time}`,
    postback,
  };
  // A 200 is never sent again by Tapstream: answer it once the event is on disk (the spool's
  // shared fdatasync), not merely written to the kernel.
  return answering.client.whenPersisted().then(
    () => forwarded,
    (error: unknown) => ({
      status: 503,
      outcome: 'rejected',
      reason: 'not_accepted',
      message: `the event could not be forced to disk (${error instanceof Error ? error.message : String(error)}): try again later`,
      postback,
      error,
    }),
  );
}

/** The JSON body of an answer: what happened, never an internal error's details. */
export function answerBody(answer: PostbackAnswer): string {
  const { postback } = answer;
  return JSON.stringify({
    outcome: answer.outcome,
    ...(answer.reason === undefined ? {} : { reason: answer.reason }),
    message: answer.message,
    ...(answer.outcome === 'forwarded' && postback
      ? { person: postback.identity, event: postback.event, time: postback.time }
      : {}),
  });
}

/** The headers of an answer. */
export function answerHeaders(answer: PostbackAnswer): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
  if (answer.status === 405) headers.allow = ALLOWED_METHODS;
  if (answer.status === 503) headers['retry-after'] = '5';
  return headers;
}
