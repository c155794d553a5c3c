import { afterEach, describe, expect, it } from 'vitest';
import { useServer } from '../../test/server.js';
import { createKissmetricsEmulator } from './emulator.js';
import { kissmetricsLibraryScript } from './library-script.js';

const km = createKissmetricsEmulator({ apiKeys: ['km-key'] });
useServer(...km.handlers);
afterEach(() => km.reset());

describe('serving the emulated Kissmetrics JS', () => {
  it.each([
    'https://i.kissmetrics.io/i.js',
    'http://i.kissmetrics.io/i.js',
    'https://i.kissmetrics.com/i.js',
    'http://i.kissmetrics.com/i.js',
  ])('serves the library at %s as JavaScript', async (url) => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/javascript/);
    const source = await response.text();
    // Compiles (without running) as a classic script.
    expect(() => new Function(source)).not.toThrow();
    expect(source).toContain('km_ai');
  });

  it.each([
    'https://scripts.kissmetrics.io/km-key.2.js',
    'http://scripts.kissmetrics.io/km-key.2.js',
    'https://scripts.kissmetrics.com/km-key.2.js',
    'http://scripts.kissmetrics.com/km-key.2.js',
  ])('serves the per-product script at %s with the key baked in', async (url) => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/javascript/);
    const source = await response.text();
    expect(() => new Function(source)).not.toThrow();
    expect(source).toContain('"km-key"');
  });

  it('answers 404 for the script of a product that is not among apiKeys, or a file that is no .2.js', async () => {
    expect((await fetch('https://scripts.kissmetrics.io/other-key.2.js')).status).toBe(404);
    expect((await fetch('https://scripts.kissmetrics.io/km-key.js')).status).toBe(404);
    expect((await fetch('https://scripts.kissmetrics.io/%E0%A4.2.js')).status).toBe(404);
  });

  it('can fail the script load through the js fault route', async () => {
    km.faults.set('js', { answers: [503, 'network-error'] });
    expect((await fetch('https://i.kissmetrics.io/i.js')).status).toBe(503);
    await expect(fetch('https://scripts.kissmetrics.io/km-key.2.js')).rejects.toThrow(TypeError);
    expect((await fetch('https://i.kissmetrics.io/i.js')).status).toBe(200);
  });
});

describe('kissmetricsLibraryScript', () => {
  it('bakes in options as literals, never as replacement patterns', () => {
    const source = kissmetricsLibraryScript({ apiKey: "a$&b'c", endpoint: 'https://x.test/p/' });
    expect(source).toContain(`var API_KEY = ${JSON.stringify("a$&b'c")};`);
    expect(source).toContain('var ENDPOINT = "https://x.test/p";');
    expect(source).toContain(
      'var AUTO_EVENTS = {"visitedSite":false,"searchEngineHit":false,"adCampaignHit":false};',
    );
  });

  it('turns the automatic events on all at once, one by one, or Visited Site alone', () => {
    const auto = (options: Parameters<typeof kissmetricsLibraryScript>[0]) =>
      JSON.parse(/var AUTO_EVENTS = (.*);/.exec(kissmetricsLibraryScript(options))![1]!);
    expect(auto({ autoEvents: true })).toEqual({
      visitedSite: true,
      searchEngineHit: true,
      adCampaignHit: true,
    });
    expect(auto({ autoEvents: { adCampaignHit: false } })).toEqual({
      visitedSite: true,
      searchEngineHit: true,
      adCampaignHit: false,
    });
    expect(auto({ visitedSite: true })).toEqual({
      visitedSite: true,
      searchEngineHit: false,
      adCampaignHit: false,
    });
  });
});
