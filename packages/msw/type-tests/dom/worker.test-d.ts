// The emulators in a browser, through MSW's service worker (the DOM's types, no Node's).
import {
  createKissmetricsEmulator,
  createTapstreamEmulator,
  type KissmetricsEvent,
} from '@kmkit/msw';
import { expectTypeOf } from 'expect-type';
import { setupWorker } from 'msw/browser';

const km = createKissmetricsEmulator({ apiKeys: ['key'], endpoints: [`${location.origin}/km`] });
const ts = createTapstreamEmulator({ accounts: [{ name: 'acme', secret: 'sdk-secret' }] });
await setupWorker(...km.handlers, ...ts.handlers).start({ onUnhandledRequest: 'error' });
expectTypeOf(km.person('bob')?.events).toEqualTypeOf<readonly KissmetricsEvent[] | undefined>();
// @ts-expect-error the worker takes the handlers, not the emulator
setupWorker(km);
