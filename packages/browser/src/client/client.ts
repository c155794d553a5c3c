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
  CallName,
  CommonOptions,
  KissmetricsClient,
  KissmetricsEvents,
} from './types.js';

/** What a mode adds to the shared client: where mapped commands go, and the mode's own methods. */
export interface Destination extends Pick<KissmetricsClient, 'reset' | 'identity'> {
  /** What the mode records of its own once the client is made (cloud: the page load's events). */
  start?(): void;
  /** The message the mapping reads for a call: the caller's, with what the mode knows of the visitor. */
  prepare(call: CallName, message: SpecMessage): object;
  /** Sends the commands of a message; throws `KmValidationError` when they cannot go. */
  deliver(call: CallName, event: BrowserEvent, commands: KmCommand[]): void;
  /** Default: resolves at once, with nothing delivered (the Kissmetrics JS delivers). */
  flush?(): Promise<FlushResult>;
  /** Default: nothing queued or delivered here. */
  stats?(): DeliveryStats & { readonly sender: boolean };
  /** Subscribes to the mode's own events (the delivery engine's). */
  on?(event: string, listener: (payload: never) => void): () => void;
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
    throw invalidOption('apiKey', 'is required: your Kissmetrics API key');
  }
  return resolveMapping(options, mode);
}

/**
 * The client both modes share: option checks, RudderStack-style positional calls mapped by the
 * browser's mapping (the commands of `@kmkit/core`'s), page context, and events. A call never
 * throws (a page must not break because of analytics): invalid input is an `invalid` event,
 * counted; anything else a `call_failed` warning.
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
  let invalid = 0;

  // Runs a call; whatever it throws is reported, never rethrown. Everything the client records
  // passes here, the calls and what the mode records on its own: the one place to gate it.
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

  const client = {
    reset: (resetOptions) => run('reset' as CallName, () => destination.reset(resetOptions)),
    identity: destination.identity,
    flush: destination.flush ?? (() => Promise.resolve(NOTHING)),
    on(event, listener) {
      const off = [on(event, listener), destination.on?.(event, listener)];
      return () => {
        for (const remove of off) remove?.();
      };
    },
    stats: () => ({ ...noStats(), ...destination.stats?.(), invalid }),
  } as KissmetricsClient;
  run('start' as CallName, () => destination.start?.());
  for (const call of ['identify', 'track', 'page', 'screen', 'alias', 'group', 'send'] as const) {
    client[call] = (...args: unknown[]) =>
      run(call, () => {
        let message = toMessage(call, args) as SpecMessage;
        if (call === 'page' && pageContext) message = withPageContext(message);
        const { event, commands, warnings } = mapMessage(
          destination.prepare(call, message),
          mapping,
          clock.now,
        );
        destination.deliver(call, event, commands);
        const messageId = event.messageId ?? randomId(4);
        for (const warning of warnings) emit('warning', { ...warning, messageId });
      });
  }
  return client;
}
