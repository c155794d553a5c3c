// The types users get from the built `@kmkit/core` (`dist/*.d.ts`): run by `pnpm check:types` under
// `moduleResolution` node16 (Node's types, no DOM) and bundler (the DOM's, no Node's), on each
// TypeScript version it lists. Every `@ts-expect-error` is a call that must not compile; the file
// compiling proves each one fails.
import {
  createDeliveryQueue,
  type DeliveryQueue,
  type DropReason,
  type EnqueueResult,
  isKmEvent,
  isKmValidationError,
  type KmCommand,
  KmError,
  type KmErrorCode,
  type KmEvent,
  type KmPlugin,
  type KmPluginRunResult,
  type KmqCommand,
  type KmTrackEvent,
  KmValidationError,
  type KmWarningCode,
  type KmWireCommand,
  type MapOptions,
  type MappingPreset,
  type MapResult,
  mapEvent,
  parseEvent,
  parseTrackingRequest,
  runPlugins,
  type SpecMessage,
  type Store,
  type TrackingRequest,
  type TrackParams,
  type Transport,
  type TransportAttempt,
  toImportRecord,
  toKmq,
  toTrackingRequest,
  withProperties,
} from '@kmkit/core';
import { createManualScheduler, type ManualScheduler, seededRandom } from '@kmkit/core/testing';
import { expectTypeOf } from 'expect-type';

// --- parseEvent ----------------------------------------------------------------------------
const event = parseEvent({ type: 'track', userId: 'u1', event: 'Signed Up' });
expectTypeOf(event).toEqualTypeOf<KmEvent>();
expectTypeOf(event.type).toEqualTypeOf<
  'track' | 'identify' | 'page' | 'screen' | 'alias' | 'group'
>();
expectTypeOf(event.time).toBeNumber();
expectTypeOf(event.person).toEqualTypeOf<string | undefined>();
// Raw input of any shape is validated at run time: JSON text, bytes, an object from a pipeline.
parseEvent('{"type":"track","userId":"u1","event":"Paid"}');
parseEvent(new TextEncoder().encode('{}'));
parseEvent({ type: 'track', userId: 'u1', event: 'Paid' }, { mode: 'device', now: () => 0 });
parseEvent({}, { now: new Date(), limits: { nameLength: 100 }, generateId: () => 'id' });
// @ts-expect-error a mode is 'cloud' or 'device'
parseEvent({}, { mode: 'server' });
// @ts-expect-error a misspelt option
parseEvent({}, { mdoe: 'device' });
// @ts-expect-error now is milliseconds, a Date or a clock, not a string
parseEvent({}, { now: '2024-05-01' });
// Narrowing on `type` gives each kind's fields.
if (event.type === 'track') {
  expectTypeOf(event).toEqualTypeOf<KmTrackEvent>();
  expectTypeOf(event.event).toBeString();
} else if (event.type === 'alias') {
  expectTypeOf(event.previousId).toBeString();
  expectTypeOf(event.person).toBeString();
} else if (event.type === 'group') {
  expectTypeOf(event.groupId).toBeString();
  // @ts-expect-error a group event has no event name
  event.event;
}
declare const something: unknown;
if (isKmEvent(something)) expectTypeOf(something).toEqualTypeOf<KmEvent>();

// --- mapEvent ------------------------------------------------------------------------------
// Cloud mode (the default) gives only commands that have an HTTP form.
expectTypeOf(mapEvent({ type: 'track', userId: 'u1', event: 'Paid' })).toEqualTypeOf<
  MapResult<KmWireCommand>
>();
expectTypeOf(mapEvent(event, { mode: 'cloud', preset: 'segment' })).toEqualTypeOf<
  MapResult<KmWireCommand>
>();
// Device mode may give `identify` and `clearIdentity`, which only `_kmq` knows.
expectTypeOf(mapEvent(event, { mode: 'device' })).toEqualTypeOf<MapResult<KmCommand>>();
declare const someOptions: MapOptions;
expectTypeOf(mapEvent(event, someOptions)).toEqualTypeOf<MapResult<KmCommand>>();
const { commands, warnings } = mapEvent(event, {
  preset: 'rudderstack',
  prefixProperties: true,
  prefixSeparator: '-',
  trackNamedPages: false,
  trackCategorizedPages: false,
  aliasOnIdentify: false,
  recordPageView: true,
  limits: { valueLength: 1024 },
});
expectTypeOf(warnings[0]!.code).toEqualTypeOf<KmWarningCode>();
expectTypeOf<MapOptions['preset']>().toEqualTypeOf<MappingPreset | undefined>();
expectTypeOf<MappingPreset>().toEqualTypeOf<'default' | 'rudderstack' | 'segment'>();
// @ts-expect-error an unknown preset
mapEvent(event, { preset: 'segmnet' });
// @ts-expect-error an unknown mode
mapEvent(event, { mode: 'server' });
// @ts-expect-error a misspelt option
mapEvent(event, { prefixProperty: true });
// @ts-expect-error prefixProperties is a boolean
mapEvent(event, { prefixProperties: 'yes' });

// --- encodings -----------------------------------------------------------------------------
const requests = commands.map((command) => toTrackingRequest(command, { apiKey: 'key' }));
expectTypeOf(requests).toEqualTypeOf<TrackingRequest[]>();
const request = toTrackingRequest(commands[0]!, {
  apiKey: 'key',
  endpoint: 'https://example.com/km',
  maxQueryBytes: 4096,
});
expectTypeOf(request.method).toEqualTypeOf<'GET' | 'POST'>();
expectTypeOf(request.url).toBeString();
expectTypeOf(request.body).toEqualTypeOf<string | undefined>();
// @ts-expect-error an API key is required
toTrackingRequest(commands[0]!, {});
// @ts-expect-error a misspelt option
toTrackingRequest(commands[0]!, { apiKey: 'key', endPoint: 'https://example.com' });
const deviceCommands = mapEvent(event, { mode: 'device' }).commands;
// @ts-expect-error a device-mode command (identify, clearIdentity) has no HTTP form
toTrackingRequest(deviceCommands[0]!, { apiKey: 'key' });
// @ts-expect-error nor a bulk-import line
toImportRecord(deviceCommands[0]!);
expectTypeOf(toImportRecord(commands[0]!)).toBeString();
expectTypeOf(toKmq(deviceCommands[0]!)).toEqualTypeOf<KmqCommand>();
expectTypeOf(parseTrackingRequest(request).params).toEqualTypeOf<
  Readonly<Record<string, string>>
>();

// --- errors --------------------------------------------------------------------------------
declare const caught: unknown;
if (KmValidationError.isInstance(caught)) {
  expectTypeOf(caught).toEqualTypeOf<KmValidationError>();
  expectTypeOf(caught.code).toEqualTypeOf<KmErrorCode>();
  expectTypeOf(caught.path).toBeString();
  // @ts-expect-error a code that does not exist cannot be matched
  if (caught.code === 'missing_identitiy') throw caught;
}
if (isKmValidationError(caught)) expectTypeOf(caught.code).toEqualTypeOf<KmErrorCode>();
if (KmError.isInstance(caught)) {
  // Any kmkit error: its code is one of its package's, so a string here.
  expectTypeOf(caught).toEqualTypeOf<KmError>();
  expectTypeOf(caught.code).toBeString();
  expectTypeOf(caught).toMatchTypeOf<Error>();
}
// A package's own error class takes the same constructor and narrows to its own codes.
class KmExampleError extends KmError<'example_failed' | 'example_refused'> {}
const example = new KmExampleError('example_failed', 'option', 'what to do', { cause: caught });
expectTypeOf(example.code).toEqualTypeOf<'example_failed' | 'example_refused'>();
// @ts-expect-error not one of its codes
new KmExampleError('other', 'option', 'message');
expectTypeOf(
  new KmValidationError('invalid_option', 'apiKey', 'say what').code,
).toEqualTypeOf<KmErrorCode>();
// @ts-expect-error a validation error takes a KmErrorCode
new KmValidationError('spool_full', 'apiKey', 'message');

// --- spec messages and call parameters -----------------------------------------------------
// A raw message from a pipeline may carry any extra field; `type` is required.
const fromPipeline: SpecMessage = { type: 'track', event: 'Paid', rudderId: 'r-1', userId: 1 };
// @ts-expect-error a message without `type`
const untyped: SpecMessage = { event: 'Paid', userId: 'u' };
// What a client call takes is exact: an identity and the kind's fields, no unknown field.
const params: TrackParams = { anonymousId: 'a', event: 'Paid', properties: { total: 3 } };
// @ts-expect-error no identity
const anonymous: TrackParams = { event: 'Paid' };
// @ts-expect-error a misspelt field
const misspelt: TrackParams = { userId: 'u', event: 'Paid', propertes: {} };

// --- plugins -------------------------------------------------------------------------------
const enrich: KmPlugin = {
  name: 'campaign',
  type: 'enrichment',
  process: (parsed) => withProperties(parsed, { 'Campaign Source': 'newsletter' }),
};
const dropAll: KmPlugin = { name: 'drop', type: 'before', process: () => null };
// @ts-expect-error a plugin is 'before' or 'enrichment'
const late: KmPlugin = { name: 'late', type: 'after', process: (parsed) => parsed };
// @ts-expect-error process returns an event or null, not undefined
const forgetful: KmPlugin = { name: 'bad', type: 'before', process: () => undefined };
expectTypeOf(runPlugins(event, [enrich, dropAll])).toEqualTypeOf<KmPluginRunResult>();
expectTypeOf(runPlugins(event, [enrich]).event).toEqualTypeOf<KmEvent | null>();
declare const track: KmTrackEvent;
expectTypeOf(withProperties(track, { plan: 'pro' })).toEqualTypeOf<KmTrackEvent>();

// --- the delivery engine -------------------------------------------------------------------
const transport: Transport = {
  send: async (_request, _signal) => ({ status: 200, retryAfter: null }),
};
// A transport may also start a request and hand back how to abort it (no AbortSignal needed).
const starting: Transport = {
  send: async () => ({ status: 200 }),
  start: () => ({ response: Promise.resolve({ status: 204 }), abort: () => {} }),
};
expectTypeOf(starting.start).toEqualTypeOf<
  ((request: TrackingRequest) => TransportAttempt) | undefined
>();
// @ts-expect-error start() is an addition: send() is still required
const startOnly: Transport = {
  start: () => ({ response: Promise.resolve({ status: 200 }), abort: () => {} }),
};
const bareStart: Transport = {
  send: async () => ({ status: 200 }),
  // @ts-expect-error start() hands back the answer and an abort, not a bare promise
  start: async () => ({ status: 200 }),
};
const store: Store = { durable: false, load: () => [], add: () => {}, remove: async () => {} };
const queue = createDeliveryQueue({
  transport,
  store,
  retry: { maxAttempts: 3 },
  overflow: 'drop-oldest',
  scheduler: { now: () => 0 },
});
expectTypeOf(queue).toEqualTypeOf<DeliveryQueue>();
// @ts-expect-error a transport is required
createDeliveryQueue({ store });
// @ts-expect-error an unknown overflow policy
createDeliveryQueue({ transport, overflow: 'drop-newest' });
const enqueued = queue.enqueue(request);
expectTypeOf(enqueued).toEqualTypeOf<EnqueueResult>();
if (enqueued.accepted) expectTypeOf(enqueued.id).toBeString();
else expectTypeOf(enqueued.reason).toEqualTypeOf<DropReason>();
// @ts-expect-error the id exists only once the request was accepted
enqueued.id;
queue.on('drop', (drop) => expectTypeOf(drop.reason).toEqualTypeOf<DropReason>());
queue.on('retry', (retry) => expectTypeOf(retry.delayMs).toBeNumber());
// @ts-expect-error no such event
queue.on('sent', () => {});

// --- @kmkit/core/testing -------------------------------------------------------------------
const scheduler = createManualScheduler({ now: 0, random: [0.1, 0.9] });
expectTypeOf(scheduler).toEqualTypeOf<ManualScheduler>();
expectTypeOf(scheduler.advance(1000)).toEqualTypeOf<Promise<void>>();
createDeliveryQueue({ transport, scheduler });
createManualScheduler({ random: seededRandom(7) });
// @ts-expect-error random is a function or a list of numbers
createManualScheduler({ random: 0.5 });

export {
  anonymous,
  bareStart,
  forgetful,
  fromPipeline,
  late,
  misspelt,
  params,
  startOnly,
  untyped,
};
