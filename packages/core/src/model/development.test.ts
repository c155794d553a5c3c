import { afterEach, describe, expect, it, vi } from 'vitest';

// `DEV` is read once, when the module loads: each build is a fresh copy of core's modules.
async function loadCore(nodeEnv: string) {
  vi.stubEnv('NODE_ENV', nodeEnv);
  vi.resetModules();
  return import('../index.js');
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('messages in production builds', () => {
  it('keep the code and the path of an error, without the sentence', async () => {
    const core = await loadCore('production');
    let error: unknown;
    try {
      core.parseEvent({ type: 'track', userId: 'u1', event: '' });
    } catch (thrown) {
      error = thrown;
    }
    expect(core.KmValidationError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'missing_event_name',
      path: 'event',
      message: 'missing_event_name (event)',
    });
  });

  it('keep the code and the path of every warning, without the sentence', async () => {
    const core = await loadCore('production');
    const { warnings } = core.mapEvent({
      type: 'track',
      userId: 'u1',
      event: 'Bought',
      timestamp: 'soon',
      properties: { _p: 'x', price: Number.NaN },
    });
    expect(warnings).toEqual([
      { code: 'invalid_timestamp', path: 'timestamp', message: 'invalid_timestamp (timestamp)' },
      { code: 'reserved_key', path: 'properties._p', message: 'reserved_key (properties._p)' },
      {
        code: 'non_finite_number',
        path: 'properties.price',
        message: 'non_finite_number (properties.price)',
      },
    ]);
  });

  it('leave options errors their code and path', async () => {
    const core = await loadCore('production');
    expect(() =>
      core.mapEvent({ type: 'track', userId: 'u', event: 'E' }, { preset: 'x' as 'segment' }),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid_option',
        path: 'preset',
        message: 'invalid_option (preset)',
      }),
    );
  });
});

describe('messages in development builds', () => {
  it('say what was wrong and what to do', async () => {
    const core = await loadCore('development');
    expect(() => core.parseEvent({ type: 'track', userId: 'u1', event: '' })).toThrow(
      /a track needs an event name.*pass event/,
    );
    const { warnings } = core.mapEvent({
      type: 'track',
      userId: 'u1',
      event: 'Bought',
      properties: { _p: 'x' },
    });
    expect(warnings[0]?.message).toMatch(/control parameter.*rename it/);
  });
});
