// The server under test, in a process of its own (bundled like the published build):
// - `empty`: node:http answering 200 with the GIF at once, the ceiling of this machine;
// - `relay`: relay.listener mounted at /km, forwarding to the sink (with a spool dir as a further
//   argument, through the spool, fsync 'interval' as by default);
// - `forwarder`: the Tapstream forwarder's listener (no spool), the server the relay is shaped on.
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTapstreamForwarder } from '../../../tapstream-bridge/src/server/index.js';
import { createKissmetricsRelay } from '../../src/relay/index.js';

const [mode, endpoint, spoolDir] = process.argv.slice(2);
// Room for the whole run: the bench measures rates, not the 503 back-pressure at the caps.
const room = { maxQueueLength: 1_000_000, maxQueueBytes: 1024 * 1024 * 1024 };
const relay =
  mode === 'relay'
    ? createKissmetricsRelay({
        apiKey: 'bench-key',
        endpoint: endpoint!,
        ...room,
        ...(spoolDir === undefined ? {} : { spool: { dir: spoolDir } }),
      })
    : undefined;
const forwarder =
  mode === 'forwarder'
    ? createTapstreamForwarder({
        apiKey: 'bench-key',
        secret: 'bench-secret',
        endpoint: endpoint!,
        ...room,
      })
    : undefined;
const GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
const empty: RequestListener = (req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'image/gif', 'content-length': GIF.length }).end(GIF);
};
const listener: RequestListener = relay
  ? (req, res) => {
      // What app.use('/km', relay.listener) does to the URL.
      req.url = (req.url ?? '/').slice(3);
      relay.listener(req, res);
    }
  : (forwarder?.listener ?? empty);
const server = createServer(listener);
server.keepAliveTimeout = 60_000;
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('message', async (message: { type: string }) => {
  if (message.type !== 'finish') return;
  const started = performance.now();
  const client = relay?.client ?? forwarder?.client;
  await client?.flush();
  const flushSeconds = (performance.now() - started) / 1000;
  process.send?.({ client: client?.stats(), flushSeconds });
  await (relay ?? forwarder)?.close();
  server.close();
  server.closeAllConnections();
});
