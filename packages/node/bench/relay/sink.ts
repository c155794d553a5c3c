// Kissmetrics for the relay bench, in a process of its own: answers every request 200 with the
// GIF (after `delayMs`, an internet round trip) and counts distinct events by Kissmetrics'
// duplicate key (_p, _n, _t), so the bench can check that nothing accepted was lost.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
const seen = new Set<string>();
let requests = 0;
let delayMs = 0;

const server = createServer((req, res) => {
  requests++;
  let body = '';
  req.setEncoding('latin1').on('data', (chunk: string) => {
    body += chunk;
  });
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://sink');
    const params = body === '' ? url.searchParams : new URLSearchParams(body);
    seen.add(`${params.get('_p')}\n${params.get('_n')}\n${params.get('_t')}`);
    const answer = () =>
      res.writeHead(200, { 'content-type': 'image/gif', 'content-length': GIF.length }).end(GIF);
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
});
server.keepAliveTimeout = 60_000;
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('message', (message: { type: string; delayMs?: number }) => {
  if (message.type === 'counts') process.send?.({ requests, distinct: seen.size });
  if (message.type === 'reset') {
    seen.clear();
    requests = 0;
    delayMs = message.delayMs ?? 0;
    process.send?.({ ok: true });
  }
});
