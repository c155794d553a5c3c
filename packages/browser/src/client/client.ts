import {
  type DeliveryStats,
  type FlushResult,
  type KmCommand,
  type KmMode,
  KmValidationError,
  type Scheduler,
  type SpecMessage,
} from '@kmkit/core';
import {
  checkOptions as checkOptionRules,
  createEmitter,
  DEV,
  type OptionsSpec,
} from '@kmkit/core/internal';
import { CONSENT_STATES, type ConsentState, startingConsent } from '../consent/consent-state.js';
import { eraseStored } from '../consent/erase-stored.js';
import { randomId } from '../identity/random-id.js';
import {
  type BrowserEvent,
  type BrowserMapping,
  mapMessage,
  resolveMapping,
} from '../mapping/index.js';
import { withPageContext } from '../page-context/page-context.js';
import type {
  BrowserWarning,
  CallDrop,
  CallName,
  CommonOptions,
  KissmetricsClient,
  KissmetricsEvents,
  ResetOptions,
} from './types.js';

/**
 * What a mode adds to the shared client: where mapped commands go, and the mode's own methods.
 * Made when the client is made, it touches no storage, cookie, script or network until `start()`,
 * which the client calls once consent is granted.
 */
export interface Destination extends Pick<KissmetricsClient, 'reset' | 'identity'> {
  /**
   * Consent is granted for the first time: start storing and sending (cloud: storage, the sending
   * tab, the page load's events, dated `at`, the client's creation; device: load the library).
   */
  start?(at: number): void;
  /** The message the mapping reads for a call: the caller's, with what the mode knows of the visitor. */
  prepare(call: CallName, message: SpecMessage): object;
  /**
   * Sends the commands of a message; throws `KmValidationError` when they cannot go. `held`: the
   * call waited for consent, and its commands carry the time it was made at.
   */
  deliver(call: CallName, event: BrowserEvent, commands: KmCommand[], held?: boolean): void;
  /** Default: resolves at once, with nothing delivered (the Kissmetrics JS delivers). */
  flush?(): Promise<FlushResult>;
  /** Default: nothing queued or delivered here. */
  stats?(): DeliveryStats & { readonly sender: boolean };
  /** Subscribes to the mode's own events (the delivery engine's). */
  on?(event: string, listener: (payload: never) => void): () => void;
  /** Consent was withdrawn (true: send nothing) or given (false, before `start()` too). */
  hold?(holding: boolean): void;
  /** Drops what waits to be sent, a `drop` event each with `reason`, counted in its stats. */
  drop?(reason: 'consent_denied' | 'forget'): void;
}

/** What the shared client gives a mode to build its destination with. */
export interface ClientContext<Clock extends Pick<Scheduler, 'now'>> {
  /** The mode's clock, with the `scheduler` option's parts. */
  readonly clock: Clock;
  readonly emit: <K extends keyof KissmetricsEvents>(
    event: K,
    payload: KissmetricsEvents[K],
  ) => void;
  /** Emits a `warning` event. */
  readonly warn: Warn;
}

/** The warning emitter of a client. */
export type Warn = (code: BrowserWarning['code'], message: string, error?: unknown) => void;

/** A `KmValidationError` for a bad option, naming it (the sentence in development builds only). */
export const invalidOption = (name: string, message: string): KmValidationError =>
  new KmValidationError('invalid_option', name, DEV ? `${name} ${message}` : '');

const NOTHING: FlushResult = { delivered: 0, failed: 0, dropped: 0 };

const isObject = (value: unknown) => typeof value === 'object' && value !== null;

// The arguments of the calls that take two, by position.
const FIELDS: Record<string, [string, string]> = {
  track: ['event', 'properties'],
  alias: ['userId', 'previousId'],
  group: ['groupId', 'traits'],
};

// The spec message of a positional call. `identify(traits)` has traits only; `page` and `screen`
// shift as RudderStack does: `(properties)`, `(name, properties)`, `(name)`, `(category, name, ...)`.
function toMessage(type: CallName, [first, second, third]: unknown[]): unknown {
  if (type === 'send') return first;
  if (type === 'identify') {
    return isObject(first) ? { type, traits: first } : { type, userId: first, traits: second };
  }
  if (type === 'page' || type === 'screen') {
    if (isObject(first)) return { type, properties: first };
    if (isObject(second)) return { type, name: first, properties: second };
    return second == null
      ? { type, name: first, properties: third }
      : { type, category: first, name: second, properties: third };
  }
  const [name, value] = FIELDS[type]!;
  return { type, [name]: first, [value]: second };
}

/** Counts and state of a client that delivers nothing itself. */
export const noStats = () => ({
  ...NOTHING,
  queued: 0,
  queuedBytes: 0,
  inFlight: 0,
  concurrency: 0,
  retries: 0,
  paused: false,
  closed: false,
  sender: false,
});

/**
 * The option checks both modes share, which hold on a server too, and the mapping they resolve to.
 * Development builds check every option against the mode's rules (`spec`: unknown names with
 * "did you mean", kinds), where the typo is made; production builds keep the checks that need no
 * rules (`apiKey`, the preset, the limits), codes and paths only, for the size budget.
 */
export function checkOptions(
  options: CommonOptions,
  mode: KmMode,
  spec: OptionsSpec,
): BrowserMapping {
  if (DEV) checkOptionRules(options, spec, 'createKissmetrics');
  if (!(options?.apiKey as unknown as string)?.trim?.()) {
    throw invalidOption('apiKey', DEV ? 'is required: your Kissmetrics API key' : '');
  }
  return resolveMapping(options, mode);
}

// A call as the client holds it until consent: the method, its message (or reset's options), and
// when it was made.
type Held = [call: CallName | 'reset', payload: unknown, at: number];

/**
 * The client both modes share: option checks, RudderStack-style positional calls mapped by the
 * browser's mapping (the commands of `@kmkit/core`'s), page context, events, and consent. A call
 * never throws (a page must not break because of analytics): invalid input is an `invalid` event,
 * counted; anything else a `call_failed` warning. Until consent is granted the destination is not
 * started and calls wait in memory (at most `maxQueueLength`, default 1000), with their times.
 *
 * @throws {KmValidationError} `invalid_option` for a missing `apiKey` or a bad mapping option.
 */
export function createClient<Clock extends Pick<Scheduler, 'now'>>(
  options: CommonOptions,
  mapping: BrowserMapping,
  systemClock: Clock,
  build: (context: ClientContext<Clock>) => Destination,
): KissmetricsClient {
  const clock: Clock = { ...systemClock, ...options.scheduler };
  const { on, emit } = createEmitter<KissmetricsEvents>((error, event) => {
    if (event !== 'warning') warn('listener_failed', `${event} listener threw`, error);
  });
  const warn: Warn = (code, message, error) => emit('warning', { code, message, error });
  const destination = build({ clock, emit, warn });
  const pageContext = options.pageContext !== false;
  const createdAt = clock.now();
  const maxHeld = (options as { maxQueueLength?: number }).maxQueueLength ?? 1000;
  // Undefined until the starting state is applied, like any change.
  let consent: ConsentState | undefined;
  let started = false;
  // After forget() or a denial: the next call starts a new visitor (the mode's reset()).
  let renew = false;
  const held: Held[] = [];
  let invalid = 0;
  // Calls consent kept from being sent (requests the mode dropped, it counts).
  let dropped = 0;

  // Runs a call; whatever it throws is reported, never rethrown. Everything the client records
  // passes here, the calls and what the mode records on its own.
  const run = (call: CallName, action: () => void) => {
    try {
      action();
    } catch (error) {
      if (KmValidationError.isInstance(error)) {
        invalid++;
        emit('invalid', { call, error, message: error.message });
      } else {
        warn('call_failed', `${call}() failed`, error);
      }
    }
  };

  const renewIdentity = () => {
    if (renew) destination.reset();
    renew = false;
  };

  // A call consent keeps from being sent; a reset records nothing, so there is nothing to drop.
  const drop = (reason: CallDrop['reason'], call: Held[0]) => {
    if (call === 'reset') return;
    dropped++;
    emit('drop', { reason, call, message: DEV ? `${call}() not sent: ${reason}` : reason });
  };

  // Hands a call to the destination, with the time it was made at.
  const act = (call: Held[0], payload: unknown, at: number, wasHeld?: boolean) => {
    renewIdentity();
    if (call === 'reset') return destination.reset(payload as ResetOptions);
    const { event, commands, warnings } = mapMessage(
      destination.prepare(call, payload as SpecMessage),
      mapping,
      () => at,
    );
    destination.deliver(call, event, commands, wasHeld);
    const messageId = event.messageId ?? randomId(4);
    for (const warning of warnings) emit('warning', { ...warning, messageId });
  };

  // Sends a call now, holds it until consent, or drops it (denied, or too many held).
  const take = (call: Held[0], payload: unknown) => {
    if (consent === 'granted') act(call, payload, clock.now());
    else if (consent === 'pending' && held.length < maxHeld) {
      // Held, it must not change when the caller reuses its objects.
      try {
        payload = structuredClone(payload);
      } catch {}
      held.push([call, payload, clock.now()]);
    } else drop(consent === 'pending' ? 'consent_pending' : 'consent_denied', call);
  };

  // Drops what waits (held calls, the mode's queue) and removes what kmkit stored.
  const erase = (reason: 'consent_denied' | 'forget') => {
    for (const [call] of held.splice(0)) drop(reason, call);
    destination.drop?.(reason);
    eraseStored((options as { storage?: Storage | null }).storage);
    renew = true;
  };

  // Applies a consent state (`path`: the option or argument that gave it).
  const change = (state: ConsentState, path: string) => {
    if (!CONSENT_STATES.includes(state)) {
      throw new KmValidationError(
        'invalid_option',
        path,
        DEV ? `${path} must be 'granted', 'pending' or 'denied', got ${String(state)}` : '',
      );
    }
    if (state === consent) return;
    consent = state;
    destination.hold?.(state !== 'granted');
    if (state === 'denied') erase('consent_denied');
    if (state === 'granted') {
      if (!started) run('start' as CallName, () => destination.start?.(createdAt));
      started = true;
      for (const [call, payload, at] of held.splice(0)) {
        run(call as CallName, () => act(call, payload, at, true));
      }
    }
    emit('consent', { state });
  };

  const client = {
    reset: (resetOptions) => run('reset' as CallName, () => take('reset', resetOptions)),
    identity() {
      // No visitor before consent: reading one would store it.
      if (consent !== 'granted') return Promise.resolve('');
      renewIdentity();
      return destination.identity();
    },
    // Held calls wait for consent, not for flush(): it resolves at once until then.
    flush: () => (consent === 'granted' && destination.flush?.()) || Promise.resolve(NOTHING),
    on(event, listener) {
      const off = [on(event, listener), destination.on?.(event, listener)];
      return () => {
        for (const remove of off) remove?.();
      };
    },
    stats() {
      const stats = { ...noStats(), ...destination.stats?.() };
      return {
        ...stats,
        invalid,
        consent: consent!,
        held: held.length,
        dropped: stats.dropped + dropped,
      };
    },
    setConsent: (state) => run('setConsent' as CallName, () => change(state, 'state')),
    forget: () => run('forget' as CallName, () => erase('forget')),
  } as KissmetricsClient;
  for (const call of ['identify', 'track', 'page', 'screen', 'alias', 'group', 'send'] as const) {
    client[call] = (...args: unknown[]) =>
      run(call, () => {
        let message = toMessage(call, args) as SpecMessage;
        // The page as it is at the call, also for a call held until consent.
        if (call === 'page' && pageContext) message = withPageContext(message);
        take(call, message);
      });
  }
  // A mistyped starting state throws, as a bad option does: it must not send.
  change(startingConsent(options), 'consent');
  return client;
}
