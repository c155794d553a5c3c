// `installTapstreamBridge` as a web page's code sees it (the DOM's types): its options, the
// consent it follows (a `@kmkit/browser` client's, or its own), and what the hit became.
import { createKissmetrics } from '@kmkit/browser';
import {
  type ConsentState,
  DEFAULT_TRACKER,
  type IdentityUnavailable,
  installTapstreamBridge,
  type KmConsentSource,
  type KmIdentitySource,
  TAPSTREAM_SCRIPT_URL,
  type TapstreamBridge,
  type TapstreamBridgeOptions,
  type TapstreamHitResult,
} from '@kmkit/tapstream-bridge';
import { expectTypeOf } from 'expect-type';

// --- options -------------------------------------------------------------------------------
const bridge = installTapstreamBridge({ accountName: 'acme' });
expectTypeOf(bridge).toEqualTypeOf<TapstreamBridge>();
installTapstreamBridge({
  accountName: 'acme',
  trackerName: DEFAULT_TRACKER,
  identityParameter: 'km_identity',
  tags: ['spring'],
  loadTapstream: false,
  tapstreamScriptUrl: TAPSTREAM_SCRIPT_URL,
  identity: 'kissmetrics',
  timeoutMs: 5000,
  onIdentityUnavailable: (unavailable) => {
    expectTypeOf(unavailable).toEqualTypeOf<IdentityUnavailable>();
    expectTypeOf(unavailable.reason).toEqualTypeOf<
      'timeout' | 'identity_failed' | 'empty_identity'
    >();
  },
  consent: 'pending',
  respectGlobalPrivacyControl: false,
  window,
  scheduler: { now: () => Date.now() },
});
// An iframe's window.
declare const frame: HTMLIFrameElement;
installTapstreamBridge({ accountName: 'acme', window: frame.contentWindow! });
// @ts-expect-error the account name is required
installTapstreamBridge({});
// @ts-expect-error no options object
installTapstreamBridge();
// @ts-expect-error a misspelt option (accountName)
installTapstreamBridge({ account: 'acme' });
// @ts-expect-error tags are a list
installTapstreamBridge({ accountName: 'acme', tags: 'spring' });
// @ts-expect-error 'kissmetrics' or a client with identity()
installTapstreamBridge({ accountName: 'acme', identity: 'km' });
// @ts-expect-error not a consent state
installTapstreamBridge({ accountName: 'acme', consent: 'accepted' });
// @ts-expect-error the window, not its document
installTapstreamBridge({ accountName: 'acme', window: document });
// @ts-expect-error a contentWindow may be null
installTapstreamBridge({ accountName: 'acme', window: frame.contentWindow });
// @ts-expect-error timeoutMs is a number of ms
installTapstreamBridge({ accountName: 'acme', timeoutMs: '5s' });

// --- a @kmkit/browser client gives the identity and the consent ----------------------------
const km = createKissmetrics({ apiKey: 'key', mode: 'cloud', consent: 'pending' });
expectTypeOf(km).toMatchTypeOf<KmIdentitySource>();
expectTypeOf(km).toMatchTypeOf<KmConsentSource>();
installTapstreamBridge({ accountName: 'acme', identity: km });
installTapstreamBridge({ accountName: 'acme', consent: km });
// Your own identity source, synchronous or not.
installTapstreamBridge({ accountName: 'acme', identity: { identity: () => 'visitor' } });
installTapstreamBridge({ accountName: 'acme', identity: { identity: async () => 'visitor' } });
// @ts-expect-error identity() gives the identity, a string
installTapstreamBridge({ accountName: 'acme', identity: { identity: () => 42 } });
// @ts-expect-error a consent source tells its state and its changes (stats and on)
installTapstreamBridge({ accountName: 'acme', consent: { stats: () => ({ consent: 'granted' }) } });

// --- the bridge ----------------------------------------------------------------------------
expectTypeOf(bridge.installed).toBeBoolean();
expectTypeOf(bridge.hit).toEqualTypeOf<Promise<TapstreamHitResult>>();
const hit = await bridge.hit;
if (hit.unavailable) {
  expectTypeOf(hit.identity).toEqualTypeOf<undefined>();
  expectTypeOf(hit.unavailable.message).toBeString();
} else {
  expectTypeOf(hit.identity).toBeString();
}
bridge.setConsent('granted');
expectTypeOf(bridge.setConsent).parameter(0).toEqualTypeOf<ConsentState>();
// @ts-expect-error not a consent state
bridge.setConsent(true);
// @ts-expect-error installed says what the call did; it is not yours to change
bridge.installed = false;
expectTypeOf<TapstreamBridgeOptions['consent']>().toEqualTypeOf<
  ConsentState | KmConsentSource | undefined
>();
