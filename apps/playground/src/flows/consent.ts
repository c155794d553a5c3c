import { createKissmetrics, type KissmetricsClient, type Properties } from '@kmkit/browser';
import { createKissmetricsEmulator, type KissmetricsEmulator } from '@kmkit/msw';
import {
  type Call,
  type Check,
  checkEqual,
  createFlowClock,
  type Fact,
  type Flow,
  type FlowClock,
  type FlowContext,
  type FlowSection,
  isoSeconds,
  jsLiteral,
  toPerson,
} from '../flow/index.js';
import { toRequestView } from '../flow/views.js';
import { interceptedFetch } from '../network/index.js';
import { type DevicePage, openDevicePage } from '../page/index.js';
import { withPageGlobals } from '../page/page-globals.js';

const API_KEY = 'playground-key';
const SITE = 'https://shop.example/pricing';

/**
 * The client's clock and timers: the flow's clock, and waits that end only when aborted, so that
 * a retry waits for good (a withdrawn consent finds it still queued) and nothing runs on its own.
 */
const heldTimers = (clock: FlowClock) => ({
  now: clock.now,
  monotonic: clock.now,
  sleep: (_ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) resolve();
      signal?.addEventListener('abort', () => resolve(), { once: true });
    }),
});

// Node's fetch with what it needs of the browser's request (msw/node answers it).
const pageFetch: typeof fetch = (url, init) =>
  interceptedFetch(url, { method: init?.method, body: init?.body, headers: init?.headers });

/** What kmkit and the Kissmetrics JS keep on the page: `localStorage` keys, then cookies. */
function stored(page: DevicePage): string {
  const keys = Object.keys(page.window.localStorage).filter((key) => /^kmkit/.test(key));
  const cookies = page.window.document.cookie
    .split('; ')
    .filter((cookie) => /^(kmkit|km_|kvcd)[^=]*=./.test(cookie))
    .map((cookie) => `cookie ${cookie.split('=')[0]}`);
  return [...keys.sort(), ...cookies.sort()].join(', ') || 'nothing';
}

/** One section's world: its clock, emulator, page, and the calls as the section shows them. */
interface Scene {
  readonly clock: FlowClock;
  readonly km: KissmetricsEmulator;
  readonly page: DevicePage;
  readonly calls: Call[];
  readonly facts: Fact[];
}

/** Runs a section on a page of its own: `play` makes the calls, in the page's globals. */
async function scene(
  context: FlowContext,
  seed: number,
  play: (scene: Scene) => Promise<Omit<FlowSection, 'calls' | 'facts' | 'people' | 'requests'>>,
  setUp?: (page: DevicePage) => void,
): Promise<FlowSection> {
  const clock = createFlowClock(context.start);
  const km = createKissmetricsEmulator({ apiKeys: [API_KEY], now: clock.now });
  context.network.use(...km.handlers);
  const page = openDevicePage({ url: SITE, clock, seed });
  setUp?.(page);
  const world: Scene = { clock, km, page, calls: [], facts: [] };
  try {
    const section = await withPageGlobals(page, () => play(world));
    return {
      ...section,
      calls: world.calls,
      facts: world.facts,
      requests: km.requests().map(toRequestView),
      people: km.people().map(toPerson),
    };
  } finally {
    // The page goes away: the client stops taking part in electing the sending tab.
    page.window.dispatchEvent(new (page.window as unknown as typeof globalThis).Event('pagehide'));
    await page.close();
  }
}

/** A call made on the client, shown as code with the flow clock's time and what became of it. */
function record(world: Scene, client: KissmetricsClient, code: string, call: () => void) {
  call();
  const { consent, held, dropped } = client.stats();
  world.calls.push({
    call: code,
    result: `at ${isoSeconds(world.clock.seconds())}; consent ${consent}, ${held} held, ${dropped} dropped`,
  });
}

const track = (world: Scene, client: KissmetricsClient, event: string, properties?: Properties) =>
  record(
    world,
    client,
    `km.track('${event}'${properties ? `, ${jsLiteral(properties)}` : ''})`,
    () => client.track(event, properties),
  );

/** Seconds of each event Kissmetrics recorded, by name. */
const eventTimes = (km: KissmetricsEmulator) =>
  Object.fromEntries(
    km
      .requests()
      .filter((request) => request.path === '/e')
      .map((request) => [request.params._n, Number(request.params._t)]),
  );

/**
 * Flow 10: consent in `@kmkit/browser`, on a page: what it holds before the visitor agrees (nothing
 * stored, loaded or sent), what it sends once they do (each call with the time it was made at),
 * what it drops and erases when they refuse, what `forget()` leaves behind (nothing), and Global
 * Privacy Control.
 */
export const consent: Flow = {
  name: 'consent',
  title:
    'Consent: calls held until the visitor agrees, sent with their times, dropped and erased on refusal, forgotten on request',
  async run(context) {
    const checks: Check[] = [];
    const sections: FlowSection[] = [];

    sections.push(
      await scene(context, 101, async (world) => {
        const { clock, km, page } = world;
        const client = createKissmetrics({
          apiKey: API_KEY,
          mode: 'cloud',
          consent: 'pending',
          scheduler: heldTimers(clock),
          fetch: pageFetch,
        });
        const start = clock.seconds();
        record(world, client, `km.identify('tintin@herge.com', { plan: 'pro' })`, () =>
          client.identify('tintin@herge.com', { plan: 'pro' }),
        );
        clock.advance(20_000);
        track(world, client, 'Started Trial', { seats: 3 });
        clock.advance(40_000);
        await page.settled();
        world.facts.push({ label: 'stored before consent', value: stored(page) });
        checks.push(
          checkEqual('cloud, pending: nothing is stored, not even an id', stored(page), 'nothing'),
          checkEqual('cloud, pending: no request is made', km.requests().length, 0),
          checkEqual('cloud, pending: both calls are held', client.stats().held, 2),
        );
        record(world, client, `km.setConsent('granted')`, () => client.setConsent('granted'));
        const flushed = await client.flush();
        world.facts.push(
          { label: 'flush() once granted', value: JSON.stringify(flushed) },
          { label: 'stored once granted', value: stored(page) },
        );
        checks.push(
          checkEqual(
            'cloud, granted: each held event goes out once, with the time it was made at (not the time of consent)',
            eventTimes(km),
            { 'Visited Site': start, 'Started Trial': start + 20 },
          ),
          checkEqual(
            'cloud, granted: every request is accepted, none twice',
            km.requests().map((request) => request.status),
            ['accepted', 'accepted', 'accepted', 'accepted'],
          ),
          checkEqual(
            'cloud, granted: the visitor is stored from now on',
            stored(page).includes('kmkit_anonymous_id'),
            true,
          ),
        );
        return {
          title: "cloud mode: consent 'pending', then 'granted' a minute later",
          about:
            "@kmkit/browser's cloud client on a page, made with consent: 'pending'; the visitor accepts 60 s after the first call",
        };
      }),
    );

    sections.push(
      await scene(context, 202, async (world) => {
        const { clock, km, page } = world;
        const client = createKissmetrics({
          apiKey: API_KEY,
          mode: 'device',
          consent: 'pending',
          scheduler: { now: clock.now },
        });
        const start = clock.seconds();
        record(world, client, `km.page('Pricing')`, () => client.page('Pricing'));
        clock.advance(30_000);
        await page.settled();
        const scripts = page.window.document.scripts.length;
        world.facts.push({ label: 'scripts before consent', value: String(scripts) });
        checks.push(
          checkEqual('device, pending: no script is loaded', scripts, 0),
          checkEqual('device, pending: nothing is pushed on _kmq', page.window._kmq, undefined),
          checkEqual('device, pending: nothing is stored', stored(page), 'nothing'),
        );
        record(world, client, `km.setConsent('granted')`, () => client.setConsent('granted'));
        // What the page pushed before the library ran it.
        const kmq = [...((page.window._kmq as unknown as unknown[]) ?? [])];
        await page.settled();
        world.facts.push({
          label: 'scripts once granted',
          value: Array.from(page.window.document.scripts, (script) => script.src).join(', '),
        });
        checks.push(
          checkEqual(
            'device, granted: the Kissmetrics JS loads and records the held page view at its time',
            eventTimes(km),
            { 'Viewed Pricing page': start },
          ),
        );
        return {
          title: "device mode: consent 'pending', then 'granted'",
          about:
            '@kmkit/browser/device on a page: the Kissmetrics JS (emulated) is loaded only once the visitor accepts; the held call carries _t and _d, which the library keeps',
          kmq,
        };
      }),
    );

    sections.push(
      await scene(context, 303, async (world) => {
        const { clock, km, page } = world;
        // Kissmetrics cannot be reached: what is tracked waits in the queue.
        km.faults.set('e', { rate: 1, failWith: 'network-error' });
        const client = createKissmetrics({
          apiKey: API_KEY,
          mode: 'cloud',
          scheduler: heldTimers(clock),
          fetch: pageFetch,
        });
        track(world, client, 'Viewed Pricing');
        track(world, client, 'Started Trial');
        for (let turn = 0; turn < 100 && client.stats().retries < 3; turn++) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        world.facts.push(
          { label: 'queued before the refusal', value: String(client.stats().queued) },
          { label: 'stored before the refusal', value: stored(page) },
        );
        const drops: string[] = [];
        client.on('drop', (drop) => drops.push(`${drop.reason} ${drop.call ?? 'request'}`));
        record(world, client, `km.setConsent('denied')`, () => client.setConsent('denied'));
        track(world, client, 'Came Back Later');
        km.faults.clear();
        clock.advance(60_000);
        await page.settled();
        world.facts.push(
          { label: 'drop events', value: drops.join(', ') },
          { label: 'stored after the refusal', value: stored(page) },
        );
        checks.push(
          checkEqual(
            'denied: the queued requests and the later call are dropped, each reported',
            drops,
            [
              'consent_denied request',
              'consent_denied request',
              'consent_denied request',
              'consent_denied track',
            ],
          ),
          checkEqual('denied: every drop is counted', client.stats().dropped, 4),
          checkEqual('denied: what kmkit stored is removed', stored(page), 'nothing'),
          checkEqual('denied: Kissmetrics never hears of the visitor', km.people(), []),
        );
        return {
          title: "cloud mode: consent 'denied' while Kissmetrics is unreachable",
          about:
            'three requests wait in the queue (Visited Site and two events) when the visitor refuses',
        };
      }),
    );

    sections.push(
      await scene(context, 404, async (world) => {
        const { clock, km, page } = world;
        const client = createKissmetrics({
          apiKey: API_KEY,
          mode: 'cloud',
          autoEvents: false,
          scheduler: heldTimers(clock),
          fetch: pageFetch,
        });
        record(world, client, `km.identify('castafiore@herge.com')`, () =>
          client.identify('castafiore@herge.com'),
        );
        track(world, client, 'Sang an Aria');
        await client.flush();
        const before = await client.identity();
        const anonymous = km.person(before)?.identities[0];
        world.facts.push({ label: 'stored before forget()', value: stored(page) });
        clock.advance(60_000);
        record(world, client, 'km.forget()', () => client.forget());
        const left = stored(page);
        world.facts.push({ label: 'stored after forget()', value: left });
        track(world, client, 'Came Back');
        await client.flush();
        const after = await client.identity();
        checks.push(
          checkEqual('forget(): no key or cookie is left', left, 'nothing'),
          checkEqual(
            'forget(): the next call is a new anonymous visitor, not joined to the one forgotten',
            km.person(after)?.identities,
            [after],
          ),
          checkEqual(
            'forget(): the new visitor is neither the named nor the anonymous one before',
            [after === before, after === anonymous],
            [false, false],
          ),
        );
        return {
          title: 'cloud mode: forget(), a "delete my data" button',
          about:
            'the person stays in Kissmetrics (delete it there too); the browser keeps nothing, and the next call is someone new',
        };
      }),
    );

    sections.push(
      await scene(
        context,
        505,
        async (world) => {
          const { km, page } = world;
          const client = createKissmetrics({
            apiKey: API_KEY,
            mode: 'cloud',
            scheduler: heldTimers(world.clock),
            fetch: pageFetch,
          });
          track(world, client, 'Viewed Pricing');
          await page.settled();
          world.facts.push({ label: 'navigator.globalPrivacyControl', value: 'true' });
          checks.push(
            checkEqual(
              'Global Privacy Control: the client starts denied',
              client.stats().consent,
              'denied',
            ),
            checkEqual('Global Privacy Control: nothing is stored', stored(page), 'nothing'),
            checkEqual('Global Privacy Control: nothing is sent', km.requests().length, 0),
          );
          return {
            title: 'cloud mode in a browser that sends Global Privacy Control',
            about: "no consent option: the browser's signal makes the client start 'denied'",
          };
        },
        (page) =>
          Object.defineProperty(page.window.navigator, 'globalPrivacyControl', { value: true }),
      ),
    );

    return { sections, checks };
  },
};
