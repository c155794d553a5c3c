import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PostbackAnswer, PostbackReading } from '../postback/index.js';
import {
  answerBody,
  answerHeaders,
  internalError,
  isAllowedMethod,
  methodNotAllowed,
  type PostbackRequest,
  payloadTooLarge,
  refuseQuerySecret,
  requestTimedOut,
} from './answer-postback.js';
import { bodyText, concatChunks, declaredLength, TIMED_OUT, TOO_LARGE } from './request-body.js';

/** A `node:http` request listener: `http.createServer(listener)`, Express, Fastify's raw mode. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/** What the listener needs besides the answering itself. */
export interface NodeListenerOptions {
  /** Bodies over this many bytes are refused (413). */
  readonly limit: number;
  /**
   * The whole body must arrive within this long after the headers (else 408 and the connection
   * is closed); a refused body is thrown away for at most this long too.
   */
  readonly bodyTimeoutMs: number;
  /** Checks a secret given in the query, before the body is read. */
  readonly checkSecret: PostbackReading['checkSecret'];
}

// After refusing a body, this much more of it is read and thrown away so that the client can
// read the answer; a larger one has its connection cut.
const DISCARD_BYTES = 1024 * 1024;

const encoder = new TextEncoder();

// The client went away before its body ended: there is nobody to answer.
const GONE = Symbol('gone');

function readBody(
  req: IncomingMessage,
  limit: number,
  deadline: Promise<typeof TIMED_OUT>,
): Promise<Uint8Array | typeof TOO_LARGE | typeof TIMED_OUT | typeof GONE> {
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const finish = (result: Uint8Array | typeof TOO_LARGE | typeof TIMED_OUT | typeof GONE) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
      resolve(result);
    };
    const onData = (chunk: Uint8Array | string) => {
      const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
      size += bytes.byteLength;
      if (size > limit) {
        req.pause();
        finish(TOO_LARGE);
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => finish(concatChunks(chunks, size));
    const onGone = () => finish(GONE);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
    deadline.then((timedOut) => {
      req.pause();
      finish(timedOut);
    });
  });
}

/** The body a framework's body parser already read (Express `urlencoded`, `text`, `raw`). */
function parsedBody(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return bodyText(body);
  if (typeof body !== 'object' || body === null) return '';
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string' || typeof value === 'number') form.append(key, String(value));
  }
  return form.toString();
}

/**
 * Throws away the rest of a refused body so the client can read the answer, up to a bound of
 * bytes and until `deadline`; past either the connection is cut.
 */
function discardRest(req: IncomingMessage, deadline: Promise<unknown>): void {
  if (req.complete || req.destroyed) return;
  let discarded = 0;
  req.on('data', (chunk: Uint8Array) => {
    discarded += chunk.byteLength;
    if (discarded > DISCARD_BYTES) req.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
  deadline.then(() => {
    if (!req.complete) req.destroy();
  });
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  answer: PostbackAnswer,
  deadline: Promise<unknown>,
): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  const payload = encoder.encode(answerBody(answer));
  const headers: Record<string, string | number> = {
    ...answerHeaders(answer),
    'content-length': payload.byteLength,
  };
  const unread = !req.complete && !req.readableEnded;
  if (unread) headers.connection = 'close';
  res.writeHead(answer.status, headers);
  if (answer.reason === 'request_timeout') {
    // Its time is up: the answer goes out, then the connection is closed.
    res.end(payload, () => req.socket.destroy());
    return;
  }
  res.end(payload);
  if (unread) discardRest(req, deadline);
}

/**
 * Adapts `node:http` to the forwarder: refuses other methods, oversized bodies and a wrong secret
 * in the query before reading any body (a body is counted while it streams and never buffered past
 * `limit`), gives the body `bodyTimeoutMs` to arrive, then answers with `answer`. Works after a
 * body parser too (it reads `req.body`). Never throws.
 */
export function createNodeListener(
  answer: (request: PostbackRequest) => PostbackAnswer | Promise<PostbackAnswer>,
  options: NodeListenerOptions,
  report: (answer: PostbackAnswer) => void,
): NodeListener {
  const { limit, bodyTimeoutMs, checkSecret } = options;

  async function serve(
    req: IncomingMessage,
    deadline: Promise<typeof TIMED_OUT>,
  ): Promise<PostbackAnswer | undefined> {
    const method = (req.method ?? 'GET').toUpperCase();
    if (!isAllowedMethod(method)) return methodNotAllowed(method);
    const url = req.url ?? '/';
    const unauthorized = refuseQuerySecret(url, checkSecret);
    if (unauthorized) return unauthorized;
    const declared = declaredLength(req.headers['content-length']);
    if (declared !== undefined && declared > limit) return payloadTooLarge(limit);
    let body = '';
    const preParsed = (req as { body?: unknown }).body;
    if (req.readableEnded || (preParsed !== undefined && req.complete)) {
      body = parsedBody(preParsed);
    } else if (declared !== 0) {
      const bytes = await readBody(req, limit, deadline);
      if (bytes === GONE) return undefined;
      if (bytes === TOO_LARGE) return payloadTooLarge(limit);
      if (bytes === TIMED_OUT) return requestTimedOut(bodyTimeoutMs);
      // A GET's body is read only so the connection can serve the next request.
      if (method === 'POST') body = bodyText(bytes);
    }
    return answer({ method, url, contentType: req.headers['content-type'], body });
  }

  function finish(
    req: IncomingMessage,
    res: ServerResponse,
    result: PostbackAnswer,
    deadline: Promise<unknown>,
  ): void {
    report(result);
    try {
      send(req, res, result, deadline);
    } catch {
      // The socket is gone: nobody is left to answer.
    }
  }

  return (req, res) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), bodyTimeoutMs);
      timer.unref?.();
    });
    // Once the request is over (answered, and its body read or the connection gone), its
    // deadline no longer matters; until then it bounds the discarding of a refused body.
    const clear = () => clearTimeout(timer);
    req.once('close', clear);
    res.once('close', () => {
      if (req.complete) clear();
    });
    serve(req, deadline).then(
      (result) => {
        if (result) finish(req, res, result, deadline);
      },
      (error: unknown) => finish(req, res, internalError(error), deadline),
    );
  };
}
