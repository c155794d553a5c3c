// A Kissmetrics stand-in for the bench: answers every request 200 with the 1x1 GIF and counts the
// distinct events (_p, _n, _t) it received, so the bench can check exactly-once delivery.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
const seen = new Set<string>();
let requests = 0;

const server = createServer((req, res) => {
  requests++;
  const query = new URL(req.url ?? '/', 'http://sink').searchParams;
  seen.add(`${query.get('_p')}\n${query.get('_n')}\n${query.get('_t')}`);
  req.resume();
  res.writeHead(200, { 'content-type': 'image/gif', 'content-length': GIF.length }).end(GIF);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('message', (message: { type: string }) => {
  if (message.type === 'counts') process.send?.({ requests, distinct: seen.size });
  if (message.type === 'reset') {
    seen.clear();
    requests = 0;
    process.send?.({ ok: true });
  }
});
