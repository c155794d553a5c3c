// `@kmkit/msw/node` as Node resolves it: the emulators over real HTTP on a loopback port, for
// clients MSW cannot intercept (undici's pools, child processes). (`msw/node` itself is not
// imported: its declarations need a newer TypeScript than 5.4, through type-fest 5; `dom/` spreads the same
// handlers into `setupWorker`.)
import type { Server } from 'node:http';
import { createKissmetricsEmulator, createTapstreamEmulator } from '@kmkit/msw';
import {
  type LoopbackServer,
  type LoopbackServerOptions,
  startLoopbackServer,
} from '@kmkit/msw/node';
import { expectTypeOf } from 'expect-type';

const km = createKissmetricsEmulator({ apiKeys: ['key'] });
expectTypeOf(startLoopbackServer()).toEqualTypeOf<Promise<LoopbackServer>>();
const server = await startLoopbackServer(km.handlers, { keepAliveTimeout: 1000, backlog: 64 });
expectTypeOf(server.url).toBeString();
expectTypeOf(server.server).toEqualTypeOf<Server>();
server.server.keepAliveTimeout = 5000;
const onLoopback = createKissmetricsEmulator({ endpoints: [server.url] });
const ts = createTapstreamEmulator();
server.use([...onLoopback.handlers, ...ts.handlers]);
expectTypeOf(server.unhandled()).toEqualTypeOf<readonly string[]>();
expectTypeOf(server.connections()).toBeNumber();
expectTypeOf(server.close()).toEqualTypeOf<Promise<void>>();
const options: LoopbackServerOptions = { backlog: 4096 };
startLoopbackServer([], options);
// @ts-expect-error the emulator's handlers, not the emulator
startLoopbackServer(km);
// @ts-expect-error handlers first, then the options
startLoopbackServer({ keepAliveTimeout: 1000 });
// @ts-expect-error a misspelt option (keepAliveTimeout)
startLoopbackServer(km.handlers, { keepAlive: 1000 });
// @ts-expect-error use() takes the list of handlers (not spread, as MSW's server.use does)
server.use(...km.handlers);
// @ts-expect-error the URL is the server's own
server.url = 'http://127.0.0.1:1';
