// The server under test, in a process of its own: `forwarder` (forwarder.listener, recording into
// the sink; with a spool directory and fsync policy as further arguments, through a spool) or
// `empty` (a node:http server that answers 200 at once: the ceiling).
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTapstreamForwarder } from '../src/server/index.js';

const [mode, endpoint, spoolDir, fsync] = process.argv.slice(2);
const forwarder =
  mode === 'forwarder'
    ? createTapstreamForwarder({
        apiKey: 'bench-key',
        secret: 'bench-secret',
        endpoint: endpoint!,
        // Room for the whole run: the bench measures rates, not the 503 back-pressure at the cap.
        maxQueueLength: 1_000_000,
        maxQueueBytes: 1024 * 1024 * 1024,
        concurrency: 64,
        ...(spoolDir === undefined
          ? {}
          : { spool: { dir: spoolDir, fsync: fsync as 'always' | 'interval' } }),
      })
    : undefined;
const empty: RequestListener = (req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"outcome":"forwarded"}');
};
const server = createServer(forwarder ? forwarder.listener : empty);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('message', async (message: { type: string }) => {
  if (message.type === 'flush') {
    await forwarder?.flush();
    process.send?.({ ok: true });
    return;
  }
  if (message.type !== 'finish') return;
  const started = performance.now();
  await forwarder?.flush();
  const flushSeconds = (performance.now() - started) / 1000;
  process.send?.({ stats: forwarder?.stats(), client: forwarder?.client.stats(), flushSeconds });
  await forwarder?.close();
  server.close();
  server.closeAllConnections();
});
