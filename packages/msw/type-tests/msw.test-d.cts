// The CommonJS declarations (`dist/*.d.cts`), as a `require` user gets them (node16 only).
import { createKissmetricsEmulator, type KissmetricsEmulator } from '@kmkit/msw';
import { type LoopbackServer, startLoopbackServer } from '@kmkit/msw/node';
import { expectTypeOf } from 'expect-type';

const km = createKissmetricsEmulator({ apiKeys: ['key'] });
expectTypeOf(km).toEqualTypeOf<KissmetricsEmulator>();
km.faults.set('e', { answers: [503, 'network-error'] });
// @ts-expect-error not a route of the Kissmetrics emulator
km.faults.set('lookup', { answers: [503] });
expectTypeOf(startLoopbackServer(km.handlers)).toEqualTypeOf<Promise<LoopbackServer>>();
// @ts-expect-error the emulator's handlers, not the emulator
startLoopbackServer(km);
