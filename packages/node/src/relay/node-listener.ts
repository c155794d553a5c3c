import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Answered, BodyRead, IncomingRelayRequest } from './answer-request.js';
import type { RelayReply } from './answers.js';
import { declaredLength, textOf, tooLarge, tooSlow } from './request-body.js';

/** A `node:http` request listener: `http.createServer(listener)`, Express, Fastify's raw mode. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

// After refusing a body, this much more of it is read and thrown away so that the client can read
// the answer; a larger one has its connection cut.
const DISCARD_BYTES = 64 * 1024;

const encoder = new TextEncoder();

/**
 * Reads `req`'s body within `limit` bytes and `timeoutMs` from now. A slow client is answered 408
 * at the deadline (its socket is then closed after the answer); a client that leaves first is
 * `'gone'`. A body a framework's parser already read (`req.body`) is used as it is.
 */
function readNodeBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<BodyRead> {
  const declared = declaredLength(req.headers['content-length']);
  if (declared !== undefined && declared > limit) return Promise.resolve(tooLarge(limit));
  const parsed = (req as { body?: unknown }).body;
  if (req.readableEnded || (parsed !== undefined && req.complete)) {
    return Promise.resolve({ text: parsedBody(parsed) });
  }
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const finish = (result: BodyRead) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
      if (result === 'gone' || 'reason' in result) req.pause();
      resolve(result);
    };
    const onData = (chunk: Uint8Array) => {
      size += chunk.byteLength;
      if (size > limit) finish(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ text: textOf(chunks, size) });
    const onGone = () => finish('gone');
    const timer = setTimeout(() => finish(tooSlow(timeoutMs)), timeoutMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
  });
}

/** The body a framework's body parser already read (Express `urlencoded`, `text`, `raw`). */
function parsedBody(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return textOf([body], body.byteLength);
  if (typeof body !== 'object' || body === null) return '';
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'string' || typeof value === 'number') form.append(key, String(value));
  }
  return form.toString();
}

/** Throws away the rest of a refused body, up to a bound; past it, or once answered slow, cut. */
function discardRest(req: IncomingMessage, cut: boolean): void {
  if (req.complete || req.destroyed) return;
  if (cut) {
    req.destroy();
    return;
  }
  let discarded = 0;
  req.on('data', (chunk: Uint8Array) => {
    discarded += chunk.byteLength;
    if (discarded > DISCARD_BYTES) req.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
}

function send(req: IncomingMessage, res: ServerResponse, reply: RelayReply): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  const unread = !req.complete && !req.readableEnded;
  const body = typeof reply.body === 'string' ? encoder.encode(reply.body) : reply.body;
  const headers: Record<string, string | number> = {
    ...reply.headers,
    'content-length': body.byteLength,
  };
  if (unread) headers.connection = 'close';
  res.writeHead(reply.status, headers);
  res.end(body);
  // A client too slow with its body gets its answer, then loses the socket it was holding.
  if (unread) res.once('finish', () => discardRest(req, reply.status === 408));
}

/** Adapts `node:http` to the relay: reads the request, answers it, never throws. */
export function createNodeListener(
  answer: (request: IncomingRelayRequest) => Promise<Answered | undefined>,
  limits: { readonly maxBodyBytes: number; readonly bodyTimeoutMs: number },
  internalError: (error: unknown) => Answered,
  report: (answered: Answered) => void,
): NodeListener {
  return (req, res) => {
    const request: IncomingRelayRequest = {
      method: req.method ?? 'GET',
      // Express strips its mount path from `url`; the API path stays last either way.
      url: req.url ?? '/',
      header: (name) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      },
      remoteAddress: req.socket?.remoteAddress,
      readBody: () => readNodeBody(req, limits.maxBodyBytes, limits.bodyTimeoutMs),
    };
    answer(request)
      .catch(internalError)
      .then((answered) => {
        if (!answered) return;
        report(answered);
        try {
          send(req, res, answered.reply);
        } catch {
          // The socket is gone: nobody is left to answer.
        }
      });
  };
}
