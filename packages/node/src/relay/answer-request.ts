import type { TrackingRequest } from '@kmkit/core';
import type { RequestEnqueueResult } from '../client/client.js';
import {
  acceptedReply,
  jsonReply,
  type RelayAnswer,
  type RelayRefusal,
  type RelayReply,
  refusalReply,
} from './answers.js';
import { clientAddress } from './client-address.js';
import { corsHeaders, originAllowed, preflightHeaders } from './cors.js';
import type { ResolvedRelayOptions } from './relay-options.js';
import { checkParams, encodeParams, type TrackingApiPath } from './tracking-params.js';

/** A body as a server read it: its text, a refusal (too large, too slow), or a client gone. */
export type BodyRead = { readonly text: string } | RelayRefusal | 'gone';

/** A request as the relay reads it, whichever server it came through. */
export interface IncomingRelayRequest {
  readonly method: string;
  /** The request target: a path with its query, or an absolute URL. */
  readonly url: string;
  header(name: string): string | null | undefined;
  /** The socket's peer, when the server knows it. */
  readonly remoteAddress?: string | undefined;
  /** Reads the body within `limit` bytes and the body deadline. */
  readBody(): Promise<BodyRead>;
}

/** What answering needs besides the request. */
export interface Answering {
  readonly options: ResolvedRelayOptions;
  readonly enqueue: (request: TrackingRequest) => RequestEnqueueResult;
  /** Resolves once what was queued is on disk (the client's `whenPersisted`). */
  readonly persisted: () => Promise<void>;
  readonly health: () => { readonly status: number; readonly body: unknown };
  readonly now: () => number;
}

/** An answer, and the reply to write. `undefined` when the client left before its body ended. */
export interface Answered {
  readonly answer: RelayAnswer;
  readonly reply: RelayReply;
}

const FORM_HEADERS = Object.freeze({ 'content-type': 'application/x-www-form-urlencoded' });
const ROUTE = /\/(e|s|a|health)$/;
// A form body: what kmkit's fetch sends, and sendBeacon with a string (text/plain).
const FORM_TYPES = new Set(['', 'application/x-www-form-urlencoded', 'text/plain']);

function mediaType(value: string | null | undefined): string {
  return (value ?? '').split(';')[0]!.trim().toLowerCase();
}

function pathAndQuery(url: string): { path: string; query: string } {
  let target = url;
  if (!target.startsWith('/')) {
    // An absolute URL (web Request): keep what follows the host.
    const start = target.indexOf('/', target.indexOf('//') + 2);
    target = start === -1 ? '/' : target.slice(start);
  }
  const hash = target.indexOf('#');
  if (hash !== -1) target = target.slice(0, hash);
  const mark = target.indexOf('?');
  return mark === -1
    ? { path: target, query: '' }
    : { path: target.slice(0, mark), query: target.slice(mark + 1) };
}

/**
 * Answers one browser request: checks its origin, method, size and parameters, re-encodes what it
 * accepts (one value per key, `_ip` and `_ua` added) and queues it through the client. 200 only
 * once the client queued it (and, with a spool, wrote it to the journal and forced it to disk);
 * 503 with `Retry-After` when it could not. Never throws.
 */
export async function answerRequest(
  request: IncomingRelayRequest,
  answering: Answering,
): Promise<Answered | undefined> {
  const { options } = answering;
  const origin = request.header('origin');
  const cors = corsHeaders(origin);
  const refused = (refusal: RelayRefusal, withCors = true): Answered => {
    const reply = refusalReply(refusal, options.retryAfterSeconds);
    return {
      answer: { status: reply.status, outcome: 'refused', ...refusal },
      reply: withCors ? { ...reply, headers: { ...reply.headers, ...cors } } : reply,
    };
  };

  const method = request.method.toUpperCase();
  if (request.url.length > options.maxUrlBytes) {
    return refused({
      reason: 'uri_too_long',
      message: `the URL is over ${options.maxUrlBytes} bytes`,
    });
  }
  const { path, query } = pathAndQuery(request.url);
  const route = ROUTE.exec(path)?.[1];
  if (!originAllowed(origin, request.header('host'), options.allowedOrigins)) {
    return refused(
      {
        reason: 'origin_not_allowed',
        message: `pages of ${String(origin).slice(0, 100)} may not send through this relay: add the origin to allowedOrigins`,
      },
      false,
    );
  }
  if (route === undefined) {
    return refused({ reason: 'unknown_path', message: 'the relay serves /e, /s, /a and /health' });
  }
  if (method === 'OPTIONS') {
    return {
      answer: { status: 204, outcome: 'preflight' },
      reply: { status: 204, headers: preflightHeaders(origin), body: '' },
    };
  }
  if (route === 'health' && method === 'GET') {
    const health = answering.health();
    const reply = jsonReply(health.status, health.body);
    return {
      answer: { status: health.status, outcome: 'health' },
      reply: { ...reply, headers: { ...reply.headers, ...cors } },
    };
  }
  if (method !== 'GET' && method !== 'POST') {
    return refused({
      reason: 'method_not_allowed',
      message: `${method.slice(0, 20)} is not allowed: tracking requests are GET or a form POST`,
    });
  }
  if (route === 'health') {
    return refused({ reason: 'method_not_allowed', message: 'the health answer is a GET' });
  }

  let body = '';
  if (method === 'POST') {
    if (!FORM_TYPES.has(mediaType(request.header('content-type')))) {
      return refused({
        reason: 'unsupported_media_type',
        message: 'send the parameters form-encoded (application/x-www-form-urlencoded)',
      });
    }
    const read = await request.readBody();
    if (read === 'gone') return undefined;
    if ('reason' in read) return refused(read);
    body = read.text;
  }

  const visitor = {
    ip: clientAddress(
      request.remoteAddress,
      request.header('x-forwarded-for'),
      options.trustedProxies,
    ),
    userAgent: request.header('user-agent'),
  };
  const checked = checkParams(
    `/${route}` as TrackingApiPath,
    query,
    body,
    options,
    visitor,
    answering.now(),
  );
  if ('reason' in checked) return refused(checked);

  const encoded = encodeParams(checked.params);
  const url = `${options.endpoint}${checked.path}`;
  const tracking: TrackingRequest =
    encoded.length <= (options.client.maxQueryBytes ?? 2048)
      ? { method: 'GET', url: `${url}?${encoded}` }
      : { method: 'POST', url, body: encoded, headers: FORM_HEADERS };
  const queued = answering.enqueue(tracking);
  if (!queued.accepted) {
    return refused({
      reason:
        queued.reason === 'evicted' || queued.reason === 'unsent_at_close'
          ? 'queue_full'
          : queued.reason,
      message:
        queued.reason === 'closed'
          ? 'the relay is closing: send again later'
          : `the relay could not keep the request (${queued.reason}): send again later`,
    });
  }
  // The browser lets go of the request at a 2xx: answer it once the request is on disk.
  try {
    await answering.persisted();
  } catch (error) {
    return refused({
      reason: 'spool_failed',
      message: `the relay could not force the request to disk (${error instanceof Error ? error.message : String(error)}): send again later`,
    });
  }
  const reply = acceptedReply();
  return {
    answer: {
      status: 200,
      outcome: 'accepted',
      path: checked.path,
      adjustments: checked.adjustments,
      ip: checked.ip,
    },
    reply: { ...reply, headers: { ...reply.headers, ...cors } },
  };
}
