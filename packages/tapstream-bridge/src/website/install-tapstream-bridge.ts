import { KmValidationError, type Scheduler } from '@kmkit/core';
import { systemScheduler } from '@kmkit/core/internal';
import { isGenericIdentity } from '../identity/index.js';
import { checkIdentityParameter } from '../timeline/extract-km-identity.js';

/**
 * Anything that knows the visitor's Kissmetrics identity, such as a `@kmkit/browser` cloud-mode
 * client (`createKissmetrics({ apiKey, mode: 'cloud' })`).
 */
export interface KmIdentitySource {
  identity(): PromiseLike<string> | string;
}

/**
 * Whether the visitor lets the site record them, as in `@kmkit/browser`: `'granted'` (the hit goes
 * out), `'pending'` (nothing is loaded, pushed or sent until granted), `'denied'` (nothing at all).
 */
export type ConsentState = 'granted' | 'pending' | 'denied';

/**
 * Something that knows the visitor's consent and tells when it changes: a `@kmkit/browser` client
 * (`stats().consent`, and its `consent` event).
 */
export interface KmConsentSource {
  stats(): { readonly consent?: ConsentState };
  on(event: 'consent', listener: (change: { readonly state: ConsentState }) => void): () => void;
}

/** Why the hit went out without the Kissmetrics identity. */
export interface IdentityUnavailable {
  /**
   * `'timeout'`: the identity was not known within `timeoutMs` (the Kissmetrics JS is blocked or
   * slow); `'identity_failed'`: `KM.i()` or `identity()` threw or rejected; `'empty_identity'`: it
   * gave an empty or placeholder value (`undefined`, `guest`...).
   */
  readonly reason: 'timeout' | 'identity_failed' | 'empty_identity';
  readonly message: string;
  /** What was thrown, for `'identity_failed'`. */
  readonly error?: unknown;
}

/** What became of the page's Tapstream hit. */
export type TapstreamHitResult =
  | {
      /** The Kissmetrics identity sent as the custom parameter. */
      readonly identity: string;
      readonly unavailable?: undefined;
    }
  | { readonly identity?: undefined; readonly unavailable: IdentityUnavailable };

/** Options of {@link installTapstreamBridge}. */
export interface TapstreamBridgeOptions {
  /** Your Tapstream account name. */
  readonly accountName: string;
  /** The tracker (campaign) the hit is fired on. Default `javascript_tracker`. */
  readonly trackerName?: string;
  /** The custom parameter that carries the identity. Default `km_identity`. */
  readonly identityParameter?: string;
  /** Tags of the hit (`fireHit(tracker, tags)`). Default none. */
  readonly tags?: readonly string[];
  /**
   * Add Tapstream's `tapstream.js` to the page (once: not when the page already has it). Default
   * `true`. Set `false` when your page loads it itself.
   */
  readonly loadTapstream?: boolean;
  /** Where `tapstream.js` is loaded from. Default `https://cdn.tapstream.com/static/js/tapstream.js`. */
  readonly tapstreamScriptUrl?: string;
  /**
   * Where the Kissmetrics identity comes from: `'kissmetrics'` (default) reads `KM.i()` inside a
   * function pushed on `_kmq`, exactly as Tapstream's documented snippet; or a client with
   * `identity()`, such as a `@kmkit/browser` cloud-mode client.
   */
  readonly identity?: 'kissmetrics' | KmIdentitySource;
  /**
   * How long to wait for the identity before firing the hit without it, so a blocked Kissmetrics
   * JS never costs the attribution of the click. Default 5000 ms.
   */
  readonly timeoutMs?: number;
  /** Told when the hit went out without the identity, and why. */
  readonly onIdentityUnavailable?: (unavailable: IdentityUnavailable) => void;
  /**
   * Whether the hit may go out. A `@kmkit/browser` client (`consent: km`): the bridge follows its
   * consent, so one `km.setConsent(...)` decides for both. Or a state, changed later with the
   * bridge's `setConsent`. Until it is `'granted'`, the bridge loads no script, pushes nothing and
   * fires no hit (its timeout has not started). Default: the client given as `identity` when it is
   * a `@kmkit/browser` client, else `'granted'`.
   */
  readonly consent?: ConsentState | KmConsentSource;
  /**
   * With a consent state (not a client, which decides this itself): start `'denied'` when the
   * browser sends Global Privacy Control (`navigator.globalPrivacyControl === true`). Default true.
   */
  readonly respectGlobalPrivacyControl?: boolean;
  /**
   * The window to work on (a DOM `Window`, such as an iframe's `contentWindow`). Default the
   * global one. Typed by the part every window has, so the package's types need no DOM lib.
   */
  readonly window?: { readonly document: object };
  /** Timers, for tests; any part left out is the system's. */
  readonly scheduler?: Partial<Scheduler>;
}

/** The bridge on a page. */
export interface TapstreamBridge {
  /**
   * False when a bridge was already installed on this page: this call did nothing, and `hit` is
   * the first bridge's (a page never fires two hits).
   */
  readonly installed: boolean;
  /**
   * Resolves once the hit is on `_tsq`: with the identity, or without it and why. Not before
   * consent is granted (never, while it is denied).
   */
  readonly hit: Promise<TapstreamHitResult>;
  /** Records the visitor's choice (see the `consent` option); `'granted'` lets the hit go out. */
  setConsent(state: ConsentState): void;
}

/** Tapstream's web tracker. */
export const TAPSTREAM_SCRIPT_URL = 'https://cdn.tapstream.com/static/js/tapstream.js';

/** The tracker Tapstream's snippet fires its page hit on. */
export const DEFAULT_TRACKER = 'javascript_tracker';

const DEFAULT_TIMEOUT_MS = 5000;

// One bridge per page, also across two copies of this package.
const INSTALLED: unique symbol = Symbol.for('kmkit.tapstreamBridge') as never;

interface Queue {
  push(...items: unknown[]): unknown;
}

interface BridgeWindow {
  _kmq?: Queue;
  _tsq?: Queue;
  KM?: { i(): unknown };
  document?: Document;
  navigator?: { globalPrivacyControl?: unknown };
  [INSTALLED]?: TapstreamBridge;
}

function invalid(path: string, message: string): KmValidationError {
  return new KmValidationError('invalid_option', path, message);
}

function nonEmpty(value: unknown, path: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(path, `${path} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

function resolveOptions(options: TapstreamBridgeOptions) {
  if (typeof options !== 'object' || options === null) {
    throw invalid('', "installTapstreamBridge takes options: { accountName: 'your_account' }");
  }
  const identity = options.identity ?? 'kissmetrics';
  if (
    identity !== 'kissmetrics' &&
    (typeof identity !== 'object' || identity === null || typeof identity.identity !== 'function')
  ) {
    throw invalid(
      'identity',
      "identity must be 'kissmetrics' or a client with identity() (a @kmkit/browser cloud-mode client)",
    );
  }
  const consent = options.consent ?? consentSource(identity) ?? 'granted';
  if (!CONSENT_STATES.includes(consent as ConsentState) && !consentSource(consent)) {
    throw invalid(
      'consent',
      "consent must be 'granted', 'pending', 'denied' or a @kmkit/browser client to follow",
    );
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0) || !Number.isFinite(timeoutMs)) {
    throw invalid('timeoutMs', `timeoutMs must be a number of ms >= 0, got ${String(timeoutMs)}`);
  }
  const tags = options.tags ?? [];
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string')) {
    throw invalid('tags', 'tags must be an array of strings');
  }
  if (
    options.onIdentityUnavailable !== undefined &&
    typeof options.onIdentityUnavailable !== 'function'
  ) {
    throw invalid('onIdentityUnavailable', 'onIdentityUnavailable must be a function');
  }
  return {
    accountName: nonEmpty(options.accountName, 'accountName'),
    trackerName: nonEmpty(options.trackerName, 'trackerName', DEFAULT_TRACKER),
    identityParameter: checkIdentityParameter(options.identityParameter, 'identityParameter'),
    tags: [...tags] as string[],
    loadTapstream: options.loadTapstream ?? true,
    scriptUrl: nonEmpty(options.tapstreamScriptUrl, 'tapstreamScriptUrl', TAPSTREAM_SCRIPT_URL),
    identity,
    consent,
    timeoutMs,
  };
}

const CONSENT_STATES: readonly ConsentState[] = ['granted', 'pending', 'denied'];

/** The value when it is a client that tells its consent (a `@kmkit/browser` client). */
function consentSource(value: unknown): KmConsentSource | undefined {
  const source = value as Partial<KmConsentSource> | null;
  return typeof source?.on === 'function' && typeof source.stats === 'function'
    ? (source as KmConsentSource)
    : undefined;
}

/** A queue global as the snippets make it: `window._q = window._q || []`. */
function queueOf(win: BridgeWindow, name: '_kmq' | '_tsq'): Queue {
  const existing = win[name];
  if (existing && typeof existing.push === 'function') return existing;
  const created: unknown[] = [];
  win[name] = created;
  return created;
}

function hasTapstreamScript(doc: Document, url: string): boolean {
  for (const script of Array.from(doc.getElementsByTagName('script'))) {
    const src = script.getAttribute('src') ?? '';
    if (src === url || /(^|\/)tapstream\.js(\?|#|$)/.test(src)) return true;
  }
  return false;
}

function loadScript(win: BridgeWindow, doc: Document, url: string): void {
  // Already loaded (the tracker replaced the array) or already on the page.
  if (win._tsq !== undefined && !Array.isArray(win._tsq)) return;
  if (hasTapstreamScript(doc, url)) return;
  const script = doc.createElement('script');
  script.type = 'text/javascript';
  script.async = true;
  script.src = url;
  (doc.head ?? doc.documentElement).appendChild(script);
}

function describe(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return 'a value that cannot be printed';
  }
}

function readableIdentity(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || isGenericIdentity(value)) return undefined;
  return value;
}

function report(
  callback: ((unavailable: IdentityUnavailable) => void) | undefined,
  value: IdentityUnavailable,
) {
  if (!callback) return;
  try {
    callback(value);
  } catch (error) {
    // The hit is out: a failing callback is the page's bug, reported as an uncaught error.
    queueMicrotask(() => {
      throw error;
    });
  }
}

/**
 * Hands the visitor's Kissmetrics identity to Tapstream with the page hit, so Tapstream can tell
 * the app which web visitor an install came from. Pushes on `_tsq`
 * `['setAccountName', accountName]`, `['addCustomParameter', identityParameter, identity]` and
 * `['fireHit', trackerName, tags]` once the identity is known: with the Kissmetrics JS, inside a
 * function pushed on `_kmq` that reads `KM.i()` (Tapstream's documented snippet); with a
 * cloud-mode client, once `identity()` resolves.
 *
 * The hit is fired once per page, whatever happens: if the identity is not known within
 * `timeoutMs` (Kissmetrics blocked), the hit goes out without it and `onIdentityUnavailable` is
 * told why; a second install on the page does nothing. It waits for consent (see the `consent`
 * option): before it is granted nothing is loaded, pushed or sent.
 *
 * @example
 * ```ts
 * installTapstreamBridge({ accountName: 'acme' }); // after the Kissmetrics snippet
 * installTapstreamBridge({ accountName: 'acme', identity: km }); // follows km's consent
 * ```
 *
 * @throws {KmValidationError} `invalid_option` for a bad option, or outside a web page.
 */
export function installTapstreamBridge(options: TapstreamBridgeOptions): TapstreamBridge {
  const settings = resolveOptions(options);
  const win = (options.window ?? globalThis) as unknown as BridgeWindow;
  const doc = win.document;
  if (typeof doc !== 'object' || doc === null) {
    throw invalid(
      'window',
      'installTapstreamBridge runs in a web page: call it from code that runs in the browser',
    );
  }
  const earlier = win[INSTALLED];
  if (earlier) return { ...earlier, installed: false };

  let settle!: (result: TapstreamHitResult) => void;
  const hit = new Promise<TapstreamHitResult>((resolve) => {
    settle = resolve;
  });

  const { accountName, trackerName, identityParameter, tags } = settings;
  const clock: Scheduler = { ...systemScheduler, ...options.scheduler };
  const timer = new AbortController();
  let fired = false;
  let started = false;
  // The hit that was ready while consent was withdrawn: it goes out if consent comes back.
  let waiting: (() => void) | undefined;
  const followed = typeof settings.consent === 'object' ? settings.consent : undefined;
  let consent: ConsentState = followed
    ? (followed.stats().consent ?? 'granted')
    : options.respectGlobalPrivacyControl !== false && win.navigator?.globalPrivacyControl === true
      ? 'denied'
      : (settings.consent as ConsentState);

  function fire(identity: string | undefined, unavailable?: IdentityUnavailable): void {
    if (fired) return;
    if (consent !== 'granted') {
      // The first outcome is kept, as when the hit goes out at once.
      waiting ??= () => fire(identity, unavailable);
      return;
    }
    fired = true;
    timer.abort();
    try {
      const tsq = queueOf(win, '_tsq');
      tsq.push(['setAccountName', accountName]);
      if (identity !== undefined) tsq.push(['addCustomParameter', identityParameter, identity]);
      tsq.push(['fireHit', trackerName, [...tags]]);
    } finally {
      // Settled even when the page's _tsq throws, which then surfaces as the page's own error.
      if (identity !== undefined) {
        settle({ identity });
      } else {
        const reason = unavailable ?? {
          reason: 'empty_identity' as const,
          message: 'no identity was given',
        };
        settle({ unavailable: reason });
        report(options.onIdentityUnavailable, reason);
      }
    }
  }

  function fireWith(value: unknown, source: string): void {
    const identity = readableIdentity(value);
    if (identity !== undefined) fire(identity);
    else
      fire(undefined, {
        reason: 'empty_identity',
        message: `${source} gave ${describe(value)}, which is not an identity: the hit was fired without it`,
      });
  }

  function failWith(error: unknown, source: string): void {
    fire(undefined, {
      reason: 'identity_failed',
      message: `${source} failed (${error instanceof Error ? error.message : describe(error)}): the hit was fired without the identity`,
      error,
    });
  }

  // Once consent is granted: Tapstream's tracker, the identity, and the timeout.
  function start(): void {
    started = true;
    queueOf(win, '_tsq');
    if (settings.loadTapstream) loadScript(win, doc!, settings.scriptUrl);

    const source = settings.identity;
    if (source === 'kissmetrics') {
      // Run by the Kissmetrics JS once loaded, with KM ready; at once when it already is.
      queueOf(win, '_kmq').push(() => {
        if (fired) return;
        let value: unknown;
        try {
          value = win.KM?.i();
        } catch (error) {
          failWith(error, 'KM.i()');
          return;
        }
        fireWith(value, 'KM.i()');
      });
    } else {
      Promise.resolve()
        .then(() => source.identity())
        .then(
          (value) => fireWith(value, 'identity()'),
          (error: unknown) => failWith(error, 'identity()'),
        );
    }

    if (!fired) {
      void clock.sleep(settings.timeoutMs, timer.signal).then(() => {
        if (timer.signal.aborted) return;
        fire(undefined, {
          reason: 'timeout',
          message: `the Kissmetrics identity was not known within ${settings.timeoutMs} ms (is the Kissmetrics JS blocked?): the hit was fired without it`,
        });
      });
    }
  }

  function setConsent(state: ConsentState): void {
    if (!CONSENT_STATES.includes(state)) {
      throw invalid(
        'state',
        `setConsent takes 'granted', 'pending' or 'denied', got ${describe(state)}`,
      );
    }
    consent = state;
    if (state !== 'granted') return;
    if (!started) start();
    const ready = waiting;
    waiting = undefined;
    ready?.();
  }

  const bridge: TapstreamBridge = { installed: true, hit, setConsent };
  Object.defineProperty(win, INSTALLED, { value: bridge, configurable: true });
  followed?.on('consent', ({ state }) => setConsent(state));
  if (consent === 'granted') start();
  return bridge;
}
