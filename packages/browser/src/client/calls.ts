import type { SpecMessage } from '@kmkit/core';
import type { CallName, KissmetricsClient, Properties } from './types.js';

/** Takes a call's spec message to a destination; throws `KmValidationError` for invalid input. */
export type Deliver = (call: CallName, message: SpecMessage) => void;

/** The positional methods of a client. */
export type Calls = Pick<
  KissmetricsClient,
  'identify' | 'track' | 'page' | 'screen' | 'alias' | 'group' | 'send'
>;

function isProperties(value: unknown): value is Properties {
  return typeof value === 'object' && value !== null;
}

/**
 * `page` and `screen` arguments as RudderStack shifts them: `(properties)`, `(name, properties)`,
 * `(name)`, `(category, name, properties)`.
 */
export function viewMessage(
  type: 'page' | 'screen',
  category?: unknown,
  name?: unknown,
  properties?: unknown,
): SpecMessage {
  if (isProperties(category)) {
    properties = category;
    category = name = undefined;
  } else if (isProperties(name)) {
    properties = name;
    name = category;
    category = undefined;
  } else if (name == null) {
    name = category;
    category = undefined;
  }
  return { type, category, name, properties } as SpecMessage;
}

/** `identify(userId?, traits?)`, or `identify(traits)` for the current visitor. */
export function identifyMessage(userId?: unknown, traits?: unknown): SpecMessage {
  return isProperties(userId)
    ? ({ type: 'identify', traits: userId } as SpecMessage)
    : ({ type: 'identify', userId, traits } as SpecMessage);
}

/**
 * The positional methods over a destination. A call never throws: whatever its input, an error is
 * handed to `report` (a page must not break because of analytics).
 */
export function createCalls(
  deliver: Deliver,
  report: (call: CallName, error: unknown) => void,
): Calls {
  const run = (call: CallName, message: () => SpecMessage) => {
    try {
      deliver(call, message());
    } catch (error) {
      report(call, error);
    }
  };
  return {
    identify: (userId?: unknown, traits?: Properties) =>
      run('identify', () => identifyMessage(userId, traits)),
    track: (event, properties) => run('track', () => ({ type: 'track', event, properties })),
    page: (category?: unknown, name?: unknown, properties?: Properties) =>
      run('page', () => viewMessage('page', category, name, properties)),
    screen: (category?: unknown, name?: unknown, properties?: Properties) =>
      run('screen', () => viewMessage('screen', category, name, properties)),
    alias: (newId, previousId) =>
      run('alias', () => ({ type: 'alias', userId: newId, previousId })),
    group: (groupId, traits) => run('group', () => ({ type: 'group', groupId, traits })),
    send: (message) => run('send', () => message),
  } as Calls;
}
