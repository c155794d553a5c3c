import { isKmValidationError } from '@kmkit/core';
import type { KissmetricsClient } from '@kmkit/node';
import {
  isPostback,
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
 * Kissmetrics client, with `_t` from Tapstream's time. Synchronous: the answer means the client
 * accepted the event (queued, and written to the spool when there is one).
 */
export function answerPostback(
  request: PostbackRequest,
  answering: PostbackAnswering,
): PostbackAnswer {
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
        message:
          'the Kissmetrics client did not accept the event (its queue or spool is full, or it is closed): try again later',
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
  }
  return {
    status: 200,
    outcome: 'forwarded',
    message: `recorded "${postback.event}" on ${postback.identity} at ${postback.time}`,
    postback,
  };
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
