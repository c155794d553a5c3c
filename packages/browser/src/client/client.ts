import {
  type DeliveryStats,
  type FlushResult,
  isKmValidationError,
  type KmCommand,
  type KmEvent,
  type KmMode,
  KmValidationError,
  type MapOptions,
  mapEvent,
  parseEvent,
  type Scheduler,
  type SpecMessage,
} from '@kmkit/core';
import { createEmitter, systemScheduler } from '@kmkit/core/internal';
import type {
  BrowserWarning,
  CallName,
  CommonOptions,
  KissmetricsClient,
  KissmetricsEvents,
} from './types.js';

/** What a mode adds to the shared client: where mapped commands go, and the mode's own methods. */
export interface Destination extends Pick<KissmetricsClient, 'reset' | 'identity'> {
  /** The input `parseEvent` reads for a call: the message, with what the mode knows of the visitor. */
  prepare(call: CallName, message: SpecMessage): object;
  /** Sends the commands of a parsed event; throws `KmValidationError` when they cannot go. */
  deliver(call: CallName, event: KmEvent, commands: KmCommand[]): void;
  /** Default: resolves at once, with nothing delivered (the Kissmetrics JS delivers). */
  flush?(): Promise<FlushResult>;
  /** Default: nothing queued or delivered here. */
  stats?(): DeliveryStats & { readonly sender: boolean };
  /** Subscribes to the mode's own events (the delivery engine's). */
  on?(event: string, listener: (payload: never) => void): () => void;
}

/** What the shared client gives a mode to build its destination with. */
export interface ClientContext {
  readonly clock: Scheduler;
  readonly emit: <K extends keyof KissmetricsEvents>(
    event: K,
    payload: KissmetricsEvents[K],
  ) => void;
  /** Emits a `warning` event. */
  readonly warn: (code: BrowserWarning['code'], message: string, error?: unknown) => void;
}

/** A `KmValidationError` for a bad option, naming it. */
export const invalidOption = (name: string, message: string): KmValidationError =>
  new KmValidationError('invalid_option', name, `${name} ${message}`);

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

/**
 * The client both modes share: option checks, RudderStack-style positional calls mapped by
 * `@kmkit/core`, and events. A call never throws (a page must not break because of analytics):
 * invalid input is an `invalid` event, counted; anything else a `call_failed` warning.
 *
 * @throws {KmValidationError} `invalid_option` for a missing `apiKey` or a bad mapping option.
 */
export function createClient(
  options: CommonOptions,
  mode: KmMode,
  build: (context: ClientContext) => Destination,
): KissmetricsClient {
  if (!(options.apiKey as unknown as string)?.trim?.()) {
    throw invalidOption('apiKey', 'is required: your Kissmetrics API key');
  }
  const clock: Scheduler = { ...systemScheduler, ...options.scheduler };
  // mapEvent reads the options it knows and ignores the client's own; a bad one throws now.
  const map: MapOptions = { ...options, mode, now: clock.now };
  mapEvent({ type: 'track', event: 'Check', anonymousId: 'check' }, map);
  const { on, emit } = createEmitter<KissmetricsEvents>((error, event) => {
    if (event !== 'warning') warn('listener_failed', `${event} listener threw`, error);
  });
  const warn: ClientContext['warn'] = (code, message, error) =>
    emit('warning', { code, message, error });
  const destination = build({ clock, emit, warn });
  let invalid = 0;

  // Runs a call; whatever it throws is reported, never rethrown.
  const run = (call: CallName, action: () => void) => {
    try {
      action();
    } catch (error) {
      if (isKmValidationError(error)) {
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
    stats: () => ({
      ...NOTHING,
      queued: 0,
      queuedBytes: 0,
      inFlight: 0,
      retries: 0,
      paused: false,
      closed: false,
      sender: false,
      ...destination.stats?.(),
      invalid,
    }),
  } as KissmetricsClient;
  for (const call of ['identify', 'track', 'page', 'screen', 'alias', 'group', 'send'] as const) {
    client[call] = (...args: unknown[]) =>
      run(call, () => {
        const message = toMessage(call, args) as SpecMessage;
        const event = parseEvent(destination.prepare(call, message), map);
        const { commands, warnings } = mapEvent(event, map);
        destination.deliver(call, event, commands);
        for (const warning of warnings) emit('warning', { ...warning, messageId: event.messageId });
      });
  }
  return client;
}
