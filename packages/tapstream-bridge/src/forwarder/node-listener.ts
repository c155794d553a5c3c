import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PostbackAnswer } from '../postback/index.js';
import {
  answerBody,
  answerHeaders,
  internalError,
  isAllowedMethod,
  methodNotAllowed,
  type PostbackRequest,
  payloadTooLarge,
} from './answer-postback.js';
import { bodyText, concatChunks, declaredLength, TOO_LARGE } from './request-body.js';

/** A `node:http` request listener: `http.createServer(listener)`, Express, Fastify's raw mode. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

// After refusing a body, this much more of it is read and thrown away so that the client can
// read the answer; a larger one has its connection cut.
const DISCARD_BYTES = 1024 * 1024;

const encoder = new TextEncoder();

// The client went away before its body ended: there is nobody to answer.
const GONE = Symbol('gone');

function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<Uint8Array | typeof TOO_LARGE | typeof GONE> {
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
    };
    const onData = (chunk: Uint8Array | string) => {
      const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
      size += bytes.byteLength;
      if (size > limit) {
        cleanup();
        req.pause();
        resolve(TOO_LARGE);
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = () => {
      cleanup();
      resolve(concatChunks(chunks, size));
    };
    const onGone = () => {
      cleanup();
      resolve(GONE);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
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

/** Throws away the rest of a refused body, up to a bound; past it the connection is cut. */
function discardRest(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  let discarded = 0;
  req.on('data', (chunk: Uint8Array) => {
    discarded += chunk.byteLength;
    if (discarded > DISCARD_BYTES) req.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
}

function send(req: IncomingMessage, res: ServerResponse, answer: PostbackAnswer): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  const payload = encoder.encode(answerBody(answer));
  const headers: Record<string, string | number> = {
    ...answerHeaders(answer),
    'content-length': payload.byteLength,
  };
  const unread = !req.complete && !req.readableEnded;
  if (unread) headers.connection = 'close';
  res.writeHead(answer.status, headers);
  res.end(payload);
  if (unread) discardRest(req);
}

/**
 * Adapts `node:http` to the forwarder: refuses other methods and oversized bodies before reading
 * them (a body is counted while it streams and never buffered past `limit`), then answers with
 * `answer`. Works after a body parser too (it reads `req.body`). Never throws.
 */
export function createNodeListener(
  answer: (request: PostbackRequest) => PostbackAnswer,
  limit: number,
  report: (answer: PostbackAnswer) => void,
): NodeListener {
  async function serve(req: IncomingMessage): Promise<PostbackAnswer | undefined> {
    const method = (req.method ?? 'GET').toUpperCase();
    if (!isAllowedMethod(method)) return methodNotAllowed(method);
    const declared = declaredLength(req.headers['content-length']);
    if (declared !== undefined && declared > limit) return payloadTooLarge(limit);
    let body = '';
    const preParsed = (req as { body?: unknown }).body;
    if (req.readableEnded || (preParsed !== undefined && req.complete)) {
      body = parsedBody(preParsed);
    } else if (declared !== 0) {
      const bytes = await readBody(req, limit);
      if (bytes === GONE) return undefined;
      if (bytes === TOO_LARGE) return payloadTooLarge(limit);
      // A GET's body is read only so the connection can serve the next request.
      if (method === 'POST') body = bodyText(bytes);
    }
    return answer({
      method,
      url: req.url ?? '/',
      contentType: req.headers['content-type'],
      body,
    });
  }

  function finish(req: IncomingMessage, res: ServerResponse, result: PostbackAnswer): void {
    report(result);
    try {
      send(req, res, result);
    } catch {
      // The socket is gone: nobody is left to answer.
    }
  }

  return (req, res) => {
    serve(req).then(
      (result) => {
        if (result) finish(req, res, result);
      },
      (error: unknown) => finish(req, res, internalError(error)),
    );
  };
}
