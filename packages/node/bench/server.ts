// The loopback "Kissmetrics" of the bench, in its own process so its CPU is not the client's:
// answers every request 200 with a 1x1 GIF (as Kissmetrics does) and counts requests and distinct
// duplicate keys (_p + _n + _t), so each client's losses can be told.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const HEADERS = { 'content-type': 'image/gif', 'content-length': String(GIF.length) };

let requests = 0;
const keys = new Set<string>();

function param(query: string, name: string): string {
  const start = query.startsWith(`${name}=`) ? 0 : query.indexOf(`&${name}=`) + 1;
  if (start === 0 && !query.startsWith(`${name}=`)) return '';
  const from = start + name.length + 1;
  const end = query.indexOf('&', from);
  return query.slice(from, end === -1 ? undefined : end);
}

const server = createServer((req, res) => {
  requests++;
  const url = req.url ?? '';
  const query = url.slice(url.indexOf('?') + 1);
  const record = () => {
    keys.add(`${param(query, '_p')}|${param(query, '_n')}|${param(query, '_t')}`);
    res.writeHead(200, HEADERS).end(GIF);
  };
  // Bodies (POSTs) are not part of the bench's request shape; drain any anyway.
  if (req.method === 'GET') record();
  else req.resume().on('end', record);
});
server.keepAliveTimeout = 60_000;

process.on('message', (message: { type: string }) => {
  if (message.type === 'reset') {
    requests = 0;
    keys.clear();
    process.send!({ type: 'reset' });
  } else if (message.type === 'count') {
    process.send!({ type: 'count', requests, unique: keys.size });
  }
});

server.listen(0, '127.0.0.1', () => {
  process.send!({ type: 'ready', port: (server.address() as AddressInfo).port });
});
