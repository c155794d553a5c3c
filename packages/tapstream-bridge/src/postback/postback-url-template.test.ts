import { KmValidationError } from '@kmkit/core';
import { expandPostbackUrl } from '@kmkit/msw';
import { describe, expect, test } from 'vitest';
import { postbackUrlTemplate } from './postback-url-template.js';

describe('postbackUrlTemplate', () => {
  test('carries the secret and the TS{...} macros of the identity, event name, time and tracker', () => {
    expect(
      postbackUrlTemplate({ baseUrl: 'https://example.com/tapstream', secret: 's3cret' }),
    ).toBe(
      'https://example.com/tapstream?secret=s3cret&km_identity=TS{hit.custom_parameters.km_identity}&event=TS{event.name}&time=TS{event.timestamp}&tracker=TS{hit.tracker.slug}',
    );
  });

  test('percent-encodes the secret and keeps a query of the base URL', () => {
    expect(
      postbackUrlTemplate({ baseUrl: 'https://example.com/hook?site=1', secret: 'a&b=c d' }),
    ).toBe(
      'https://example.com/hook?site=1&secret=a%26b%3Dc%20d&km_identity=TS{hit.custom_parameters.km_identity}&event=TS{event.name}&time=TS{event.timestamp}&tracker=TS{hit.tracker.slug}',
    );
  });

  test('names the identity field in the parameter and in the macro', () => {
    const url = postbackUrlTemplate({
      baseUrl: 'https://example.com/t',
      secret: 's',
      identityField: 'kmid',
    });
    expect(url).toContain('&kmid=TS{hit.custom_parameters.kmid}&');
  });

  test('expanded by Tapstream, it gives the forwarder every value percent-encoded', () => {
    const template = postbackUrlTemplate({ baseUrl: 'https://example.com/t', secret: 's' });
    const expanded = expandPostbackUrl(template, {
      hit: {
        id: 1,
        tracker: 'javascript_tracker',
        created: 1,
        session_id: 'tl',
        custom_parameters: { km_identity: 'Xk3+a/b=' },
      },
      event: {
        name: 'ios-myapp-install',
        created: 1714564800,
        session: 'u',
        ip: '',
        custom_parameters: {},
      },
    });
    const query = new URL(expanded).searchParams;
    expect(Object.fromEntries(query)).toEqual({
      secret: 's',
      km_identity: 'Xk3+a/b=',
      event: 'ios-myapp-install',
      time: '1714564800',
      tracker: 'javascript_tracker',
    });
  });

  test.each([
    [{ baseUrl: 'example.com/t' }, 'baseUrl'],
    [{ baseUrl: 'ftp://example.com/t' }, 'baseUrl'],
    [{ baseUrl: 'https://example.com/t#x' }, 'baseUrl'],
    [{ secret: '' }, 'secret'],
    [{ identityField: 'km identity' }, 'identityField'],
    [{ identityField: 'a}b' }, 'identityField'],
    [{ identityField: 'secret' }, 'identityField'],
    [{ identityField: 'time' }, 'identityField'],
  ])('refuses %j naming %s', (override, path) => {
    expect(() =>
      postbackUrlTemplate({ baseUrl: 'https://example.com/t', secret: 's', ...override } as never),
    ).toThrow(expect.objectContaining({ code: 'invalid_option', path }));
    expect(() =>
      postbackUrlTemplate({ baseUrl: 'https://example.com/t', secret: 's', ...override } as never),
    ).toThrow(KmValidationError);
  });
});
