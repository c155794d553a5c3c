// @kmkit/node and @kmkit/node/relay from CommonJS: one event delivered to a local stand-in for
// Kissmetrics (any 200 is accepted), and the relay's health answer.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKissmetrics } from '@kmkit/node';
import { createKissmetricsRelay } from '@kmkit/node/relay';

async function main() {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const km = createKissmetrics({ apiKey: 'key', endpoint });
  const { accepted } = km.track({ userId: 'bob', event: 'Signed Up' });
  const closed = await km.close();
  if (!accepted || closed.delivered !== 1 || paths.length !== 1 || !paths[0]?.startsWith('/e?')) {
    throw new Error(`expected 1 delivered /e request, got ${JSON.stringify({ closed, paths })}`);
  }

  const relay = createKissmetricsRelay({ apiKey: 'key', endpoint });
  const health = await relay.handle(new Request('http://localhost/km/health'));
  const body = (await health.json()) as { status?: unknown };
  await relay.close();
  server.close();
  if (health.status !== 200 || body.status !== 'ok') {
    throw new Error(
      `expected relay health 200 { status: 'ok' }, got ${health.status} ${JSON.stringify(body)}`,
    );
  }
  console.log('cjs ok');
}
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
