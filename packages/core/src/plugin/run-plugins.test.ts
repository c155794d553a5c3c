import { describe, expect, test } from 'vitest';
import { mapEvent } from '../mapping/map-event.js';
import type { KmEvent } from '../model/event.js';
import { parseEvent } from '../model/parse-event.js';
import { type KmPlugin, runPlugins } from './run-plugins.js';
import { withProperties } from './with-properties.js';

const T = 1714557600;
const track = () =>
  parseEvent({
    type: 'track',
    userId: 'u',
    event: 'Signed Up',
    timestamp: T,
    properties: { plan: 'Pro' },
  });

function plugin(name: string, type: KmPlugin['type'], process: KmPlugin['process']): KmPlugin {
  return { name, type, process };
}

describe('runPlugins', () => {
  test('runs every before plugin in order, then every enrichment plugin', () => {
    const order: string[] = [];
    const note = (name: string, type: KmPlugin['type']) =>
      plugin(name, type, (event) => {
        order.push(name);
        return event;
      });
    runPlugins(track(), [
      note('enrich-1', 'enrichment'),
      note('before-1', 'before'),
      note('enrich-2', 'enrichment'),
      note('before-2', 'before'),
    ]);
    expect(order).toEqual(['before-1', 'before-2', 'enrich-1', 'enrich-2']);
  });

  test("each plugin receives the previous one's event, and the result maps as usual", () => {
    const result = runPlugins(track(), [
      plugin('a', 'before', (event) => withProperties(event, { step: 1 })),
      plugin('b', 'enrichment', (event) =>
        event.type === 'track'
          ? withProperties(event, { seen: event.properties.step === 1 })
          : event,
      ),
    ]);
    expect(result.errors).toEqual([]);
    const { commands } = mapEvent(result.event);
    expect({ ...(commands[0] as { properties: object }).properties }).toEqual({
      step: 1,
      seen: true,
      plan: 'Pro',
    });
    expect(commands[0]).toMatchObject({ time: T });
  });

  test('a plugin returning null drops the event and is named in droppedBy; later plugins do not run', () => {
    let ran = false;
    const result = runPlugins(track(), [
      plugin('consent', 'before', () => null),
      plugin('later', 'enrichment', (event) => {
        ran = true;
        return event;
      }),
    ]);
    expect(result).toEqual({ event: null, droppedBy: 'consent', errors: [] });
    expect(ran).toBe(false);
  });

  test('a plugin that throws is skipped and reported; the event continues unchanged', () => {
    const event = track();
    const boom = new Error('boom');
    const result = runPlugins(event, [
      plugin('broken', 'before', () => {
        throw boom;
      }),
      plugin('after', 'enrichment', (e) => withProperties(e, { after: true })),
    ]);
    expect(result.errors).toEqual([{ plugin: 'broken', error: boom }]);
    expect(result.event).toMatchObject({ properties: { plan: 'Pro', after: true } });
  });

  test('a plugin returning something other than an event is skipped and reported', () => {
    const event = track();
    const result = runPlugins(event, [
      plugin('forgot-return', 'before', (() => undefined) as unknown as KmPlugin['process']),
      plugin(
        'hand-built',
        'enrichment',
        () => ({ type: 'track', event: 'X' }) as unknown as KmEvent,
      ),
    ]);
    expect(result.event).toBe(event);
    expect(result.errors.map((e) => [e.plugin, (e.error as { code: string }).code])).toEqual([
      ['forgot-return', 'invalid_message'],
      ['hand-built', 'invalid_message'],
    ]);
  });

  test('a plugin of an unknown type is reported and never run', () => {
    let ran = false;
    const result = runPlugins(track(), [
      plugin('dest', 'destination' as KmPlugin['type'], (event) => {
        ran = true;
        return event;
      }),
    ]);
    expect(ran).toBe(false);
    expect(result.errors[0]).toMatchObject({ plugin: 'dest', error: { code: 'invalid_option' } });
  });

  test('with no plugins the same event comes back', () => {
    const event = track();
    expect(runPlugins(event, [])).toEqual({ event, errors: [] });
  });
});

describe('withProperties', () => {
  test("returns a copy with the extra properties; the event's own properties win", () => {
    const event = track();
    const enriched = withProperties(event, { plan: 'Free', source: 'ad' });
    expect(enriched).not.toBe(event);
    expect(enriched).toMatchObject({
      type: 'track',
      time: T,
      properties: { plan: 'Pro', source: 'ad' },
    });
    expect(event.type === 'track' && event.properties).toEqual({ plan: 'Pro' });
  });

  test('keeps a __proto__ key an ordinary property', () => {
    const enriched = withProperties(track(), JSON.parse('{"__proto__":{"polluted":1}}'));
    const { commands } = mapEvent(enriched);
    expect(Object.keys((commands[0] as { properties: object }).properties)).toEqual([
      '__proto__.polluted',
      'plan',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('works on page and screen events and leaves other kinds as they are', () => {
    const page = parseEvent({ type: 'page', userId: 'u', timestamp: T, name: 'Home' });
    expect(withProperties(page, { a: 1 })).toMatchObject({ properties: { a: 1 } });
    const identify = parseEvent({ type: 'identify', userId: 'u', timestamp: T });
    expect(withProperties(identify, { a: 1 })).toBe(identify);
  });
});
