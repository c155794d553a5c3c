// The CommonJS declarations (`dist/*.d.cts`), as a `require` user gets them (node16 only).
import {
  type KmErrorCode,
  KmValidationError,
  type KmWireCommand,
  type MapResult,
  mapEvent,
  parseEvent,
  toTrackingRequest,
} from '@kmkit/core';
import { createManualScheduler } from '@kmkit/core/testing';
import { expectTypeOf } from 'expect-type';

const event = parseEvent({ type: 'track', userId: 'u1', event: 'Signed Up' });
const mapped = mapEvent(event, { preset: 'segment' });
expectTypeOf(mapped).toEqualTypeOf<MapResult<KmWireCommand>>();
toTrackingRequest(mapped.commands[0]!, { apiKey: 'key' });
// @ts-expect-error an unknown preset
mapEvent(event, { preset: 'segmnet' });
// @ts-expect-error a device-mode command has no HTTP form
toTrackingRequest(mapEvent(event, { mode: 'device' }).commands[0]!, { apiKey: 'key' });
declare const caught: unknown;
if (KmValidationError.isInstance(caught)) expectTypeOf(caught.code).toEqualTypeOf<KmErrorCode>();
expectTypeOf(createManualScheduler().now()).toBeNumber();
