// @kmkit/msw and @kmkit/msw/node from CommonJS: the README's loopback example.
import { createKissmetricsEmulator } from '@kmkit/msw';
import { startLoopbackServer } from '@kmkit/msw/node';
import { createKissmetrics } from '@kmkit/node';

async function main() {
  const server = await startLoopbackServer();
  const km = createKissmetricsEmulator({ endpoints: [server.url] });
  server.use(km.handlers);
  const client = createKissmetrics({ apiKey: 'key', endpoint: server.url });
  client.track({ userId: 'bob', event: 'Signed Up' });
  await client.close();
  const events = km.person('bob')?.events.length;
  await server.close();
  if (events !== 1) throw new Error(`expected 1 event on bob, got ${events}`);
  console.log('cjs ok');
}
main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
