// @vitest-environment happy-dom
import type { TrackingRequest } from '@kmkit/core';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../../test/dom.js';
import { sendBeacons } from './beacon.js';
import { createBrowserTransport, KEEPALIVE_BUDGET } from './fetch-transport.js';

const km = useEmulator();
const signal = new AbortController().signal;

describe('the fetch transport', () => {
  it('keeps requests alive past the page while their bodies fit the keepalive budget', async () => {
    const seen: RequestInit[] = [];
    const hold: (() => void)[] = [];
    const transport = createBrowserTransport({
      fetch: async (url, init) => {
        seen.push(init!);
        await new Promise<void>((resolve) => hold.push(resolve));
        return fetch(url, init);
      },
    });
    const post = (size: number): TrackingRequest => ({
      method: 'POST',
      url: 'https://trk.kissmetrics.io/e',
      body: `_k=k&_p=p&_n=Big&text=${'x'.repeat(size)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const half = Math.floor(KEEPALIVE_BUDGET / 2) - 100;
    const sends = [post(half), post(half), post(half)].map((request) =>
      transport.send(request, signal),
    );
    sends.push(
      transport.send(
        { method: 'GET', url: 'https://trk.kissmetrics.io/e?_k=k&_p=p&_n=Small' },
        signal,
      ),
    );
    await Promise.resolve();
    // Two bodies fill the budget; the third goes without keepalive; a GET has no body to count.
    expect(seen.map((init) => init.keepalive)).toEqual([true, true, false, true]);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      mode: 'no-cors',
      credentials: 'omit',
      cache: 'no-store',
    });
    for (const release of hold) release();
    expect((await Promise.all(sends)).map((response) => response.status)).toEqual([
      200, 200, 200, 200,
    ]);
    expect(
      km
        .requests()
        .map((request) => request.params._n)
        .sort(),
    ).toEqual(['Big', 'Big', 'Big', 'Small']);
  });
});

describe('beacons', () => {
  it('posts /e and /s form-encoded to their path, sends /a as a keepalive GET, and stops when refused', async () => {
    const beacons: string[] = [];
    const fetched: string[] = [];
    let room = 2;
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
    const sent = sendBeacons(requests, {
      sendBeacon(url, data) {
        if (room-- <= 0) return false;
        void data.text().then((body) => beacons.push(`${url} ${data.type} ${body}`));
        return true;
      },
      fetch: async (url, init) => {
        fetched.push(`${url} keepalive=${init?.keepalive} ${init?.mode}`);
        return new Response(null);
      },
      mode: 'no-cors',
    });
    expect(sent).toEqual(requests.slice(0, 3));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(beacons).toEqual([
      'https://trk.kissmetrics.io/e application/x-www-form-urlencoded _k=k&_p=a%2Bb&_n=One',
      'https://trk.kissmetrics.io/s application/x-www-form-urlencoded _k=k&_p=a%2Bb&plan=pro',
    ]);
    expect(fetched).toEqual([
      'https://trk.kissmetrics.io/a?_k=k&_p=a%2Bb&_n=bob keepalive=true no-cors',
    ]);
  });
});
