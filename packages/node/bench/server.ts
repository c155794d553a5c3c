// The loopback "Kissmetrics" of the bench, in its own process so its CPU is not the client's:
// answers every request 200 with a 1x1 GIF (as Kissmetrics does) and counts requests and distinct
// duplicate keys (_p + _n + _t), so each client's losses can be told. A `reset` message sets the
// regime of the next phase: a fixed delay before every answer (an internet round trip), a share of
// scattered `429 + Retry-After: 1` answers, or a window of time in which every answer is a 429.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '@kmkit/core/testing';

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const HEADERS = { 'content-type': 'image/gif', 'content-length': String(GIF.length) };
const LIMITED = { 'retry-after': '1', 'content-length': '0' };

/** The regime of a phase, sent with `reset`. */
export interface ServerRegime {
  /** Every answer waits this long (ms). */
  readonly delayMs?: number;
  /** This share of answers, scattered (seeded), is `429 + Retry-After: 1`. */
  readonly limitShare?: number;
  /** From this long after the phase's first request, every answer is a 429 for `limitAllForMs`. */
  readonly limitAllAfterMs?: number;
  readonly limitAllForMs?: number;
}

let regime: ServerRegime = {};
let random = seededRandom(1);
let requests = 0;
let limited = 0;
let firstAt: number | undefined;
// Requests that arrived while every answer was a 429.
let duringLimitAll = 0;
const keys = new Set<string>();

function param(query: string, name: string): string {
  const start = query.startsWith(`${name}=`) ? 0 : query.indexOf(`&${name}=`) + 1;
  if (start === 0 && !query.startsWith(`${name}=`)) return '';
  const from = start + name.length + 1;
  const end = query.indexOf('&', from);
  return query.slice(from, end === -1 ? undefined : end);
}

function limitedNow(): boolean {
  const now = performance.now();
  firstAt ??= now;
  const { limitAllAfterMs, limitAllForMs = 1000 } = regime;
  if (limitAllAfterMs !== undefined) {
    const since = now - firstAt;
    if (since >= limitAllAfterMs && since < limitAllAfterMs + limitAllForMs) {
      duringLimitAll++;
      return true;
    }
  }
  return regime.limitShare !== undefined && random() < regime.limitShare;
}

const server = createServer((req, res) => {
  requests++;
  const url = req.url ?? '';
  const query = url.slice(url.indexOf('?') + 1);
  const limit = limitedNow();
  const answer = () => {
    if (limit) {
      limited++;
      res.writeHead(429, LIMITED).end();
      return;
    }
    keys.add(`${param(query, '_p')}|${param(query, '_n')}|${param(query, '_t')}`);
    res.writeHead(200, HEADERS).end(GIF);
  };
  const respond = regime.delayMs ? () => setTimeout(answer, regime.delayMs) : answer;
  // Bodies (POSTs) are not part of the bench's request shape; drain any anyway.
  if (req.method === 'GET') respond();
  else req.resume().on('end', respond);
});
server.keepAliveTimeout = 60_000;
// Thousands of sockets at once (kissmetrics@0.0.4 opens one per event in a burst).
server.maxConnections = 100_000;

process.on('message', (message: { type: string; regime?: ServerRegime }) => {
  if (message.type === 'reset') {
    regime = message.regime ?? {};
    random = seededRandom(1);
    requests = 0;
    limited = 0;
    duringLimitAll = 0;
    firstAt = undefined;
    keys.clear();
    process.send!({ type: 'reset' });
  } else if (message.type === 'count') {
    process.send!({ type: 'count', requests, unique: keys.size, limited, duringLimitAll });
  }
});

server.listen(0, '127.0.0.1', 4096, () => {
  process.send!({ type: 'ready', port: (server.address() as AddressInfo).port });
});
