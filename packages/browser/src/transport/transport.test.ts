// @vitest-environment happy-dom
import type { TrackingRequest } from '@kmkit/core';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../../test/dom.js';
import { createBrowserTransport, KEEPALIVE_BUDGET } from './browser-transport.js';

const km = useEmulator();
const signal = new AbortController().signal;

const post = (size: number, name = 'Big'): TrackingRequest => ({
  method: 'POST',
  url: 'https://trk.kissmetrics.io/e',
  body: `_k=k&_p=p&_n=${name}&text=${'x'.repeat(size)}`,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

describe('the fetch transport', () => {
  it('keeps a request alive past the page while its body fits its share of the keepalive budget', async () => {
    const seen: RequestInit[] = [];
    const recording: typeof fetch = (url, init) => {
      seen.push(init!);
      return fetch(url, init);
    };
    // Four requests in flight at once share the budget: a quarter each.
    const transport = createBrowserTransport('no-cors', 4, recording);
    const share = KEEPALIVE_BUDGET / 4;
    const answers = await Promise.all(
      [
        post(share - 200, 'Fits'),
        post(share, 'Too Big'),
        { method: 'GET', url: 'https://trk.kissmetrics.io/e?_k=k&_p=p&_n=Small' } as const,
      ].map((request) => transport.send(request, signal)),
    );
    expect(seen.map((init) => init.keepalive)).toEqual([true, false, true]);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      mode: 'no-cors',
      credentials: 'omit',
      cache: 'no-store',
    });
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(
      km
        .requests()
        .map((request) => request.params._n)
        .sort(),
    ).toEqual(['Fits', 'Small', 'Too Big']);
  });
});

describe('beacons', () => {
  it('posts /e and /s form-encoded to their path, sends /a as a keepalive GET, once each, and stops when refused', async () => {
    const beacons: string[] = [];
    const fetched: string[] = [];
    let room = 2;
    Object.defineProperty(navigator, 'sendBeacon', {
      configurable: true,
      value(url: string, data: Blob) {
        if (room-- <= 0) return false;
        void data.text().then((body) => beacons.push(`${url} ${data.type} ${body}`));
        return true;
      },
    });
    const transport = createBrowserTransport('no-cors', 4, async (url, init) => {
      fetched.push(`${url} keepalive=${init?.keepalive} ${init?.mode}`);
      return new Response(null);
    });
    const requests: TrackingRequest[] = [
      { method: 'GET', url: 'https://trk.kissmetrics.io/e?_k=k&_p=a%2Bb&_n=One' },
      { method: 'GET', url: 'https://trk.kissmetrics.io/a?_k=k&_p=a%2Bb&_n=bob' },
      {
        method: 'POST',
        url: 'https://trk.kissmetrics.io/s',
        body: '_k=k&_p=a%2Bb&plan=pro',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      { method: 'GET', url: 'https://trk.kissmetrics.io/e?_k=k&_p=a%2Bb&_n=Refused' },
    ];
    transport.beacon(requests);
    // Again, as when pagehide follows visibilitychange: only the refused one is tried again.
    transport.beacon(requests);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(beacons).toEqual([
      'https://trk.kissmetrics.io/e application/x-www-form-urlencoded _k=k&_p=a%2Bb&_n=One',
      'https://trk.kissmetrics.io/s application/x-www-form-urlencoded _k=k&_p=a%2Bb&plan=pro',
    ]);
    expect(fetched).toEqual([
      'https://trk.kissmetrics.io/a?_k=k&_p=a%2Bb&_n=bob keepalive=true no-cors',
    ]);
    // The refused one was asked twice and never sent.
    expect(room).toBe(-2);
  });
});
