import { KmValidationError } from '@kmkit/core';
import { delay, type HttpHandler, http } from 'msw';
import { createFaultInjector, type FaultController, type FaultPlans } from '../faults/index.js';
import {
  bothSchemes,
  characterCount,
  decodeComponent,
  gifResponse,
  jsonResponse,
  readRequestParams,
  scriptResponse,
  textResponse,
  urlRoute,
} from '../http/index.js';
import { unsafeEventNameReason } from './event-name.js';
import { expandPostbackUrl, type PostbackTemplate } from './postbacks.js';
import { toTimelineSummary } from './summary.js';
import {
  type StoredSession,
  type TapstreamSession,
  type TapstreamTimeline,
  TimelineStore,
} from './timelines.js';
import { type TapstreamTrackerOptions, tapstreamTrackerScript } from './tracker-script.js';

/**
 * Fault-injection routes of the Tapstream emulator: `'js'` (the web tracker script), `'hit'`,
 * `'event'`, `'lookup'` and `'summary'`.
 */
export type TapstreamRoute = 'js' | 'hit' | 'event' | 'lookup' | 'summary';

/** A Tapstream account: its name (in API paths) and its SDK secret. */
export interface TapstreamAccount {
  readonly name: string;
  readonly secret: string;
}

/** Options of {@link createTapstreamEmulator}. */
export interface TapstreamEmulatorOptions {
  /** The accounts that exist. Anything else gets `403`. Default none. */
  readonly accounts?: readonly TapstreamAccount[];
  /** Postback URL templates, called for the app events of attributed sessions. */
  readonly postbacks?: readonly PostbackTemplate[];
  /** The emulator's clock in ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Fault plans in force from the start (and again after `reset()`). */
  readonly faults?: FaultPlans<TapstreamRoute>;
  /** Seed of the PRNG behind fault rates. Default 1. */
  readonly seed?: number;
  /** The `fetch` postbacks are sent with. Default: `globalThis.fetch` at the time of the call. */
  readonly fetch?: typeof fetch;
  /** The longest a `blocking=true` lookup waits for a pending attribution, in ms. Default 10,000. */
  readonly blockingTimeoutMs?: number;
  /** How the emulated web tracker behaves (its `cookieName`, `pageTracker`). */
  readonly tracker?: Omit<TapstreamTrackerOptions, 'apiBase'>;
  /** Answer API requests with `access-control-allow-origin: *`. Default `true`. */
  readonly cors?: boolean;
}

/** One postback call the emulator made. */
export interface PostbackCall {
  /** The expanded URL. */
  readonly url: string;
  /** The app event it reports, and its event session. */
  readonly event: string;
  readonly session: string;
  /** The answer's status, when there was one. */
  readonly status?: number;
  /** Why the call failed, when it did. */
  readonly error?: string;
}

/** Options of {@link TapstreamEmulator.attribute}. */
export interface AttributeOptions {
  /** How long (by the emulator's clock) the lookup keeps answering `[]`, as Tapstream's processing. */
  readonly delayMs?: number;
}

/** An in-memory Tapstream: MSW handlers, its click timelines and event sessions. */
export interface TapstreamEmulator {
  /** MSW handlers: pass them to `setupServer(...)` or `setupWorker(...)`. */
  readonly handlers: readonly HttpHandler[];
  /** Every click timeline, in the order of their first hit. */
  timelines(): TapstreamTimeline[];
  /** One click timeline (e.g. the value of the web tracker's cookie), or undefined. */
  timeline(id: string): TapstreamTimeline | undefined;
  /** Every app event session, in the order of their first event or attribution. */
  sessions(): TapstreamSession[];
  /**
   * Says which click timeline an app's event session belongs to, standing in for Tapstream's
   * fingerprinting. From then on (after `delayMs` by the emulator's clock) the lookup answers the
   * conversion and events are posted back, including those that arrived before. Permanent.
   *
   * @throws {KmValidationError} `invalid_option` for an unknown timeline or a bad delay; an
   * `Error` when the session is already attributed to another timeline.
   */
  attribute(eventSession: string, timelineId: string, options?: AttributeOptions): void;
  /** Every postback call that has finished, in the order they were made. */
  postbacks(): PostbackCall[];
  /** Resolves once every postback under way has finished. */
  settled(): Promise<void>;
  /** Forgets everything, cancels pending attributions, and restores the initial fault plans. */
  reset(): void;
  /** Fault injection per route (`'js' | 'hit' | 'event' | 'lookup' | 'summary' | '*'`). */
  readonly faults: FaultController<TapstreamRoute>;
}

/** The hosts the Tapstream emulator serves. */
export const TAPSTREAM_HOSTS = {
  cdn: 'cdn.tapstream.com',
  api: 'api.tapstream.com',
  reporting: 'reporting.tapstream.com',
} as const;

const MAX_CUSTOM_LENGTH = 255;

function invalid(path: string, message: string): KmValidationError {
  return new KmValidationError('invalid_option', path, message);
}

function checkOptions(options: TapstreamEmulatorOptions): void {
  for (const [index, account] of (options.accounts ?? []).entries()) {
    if (typeof account?.name !== 'string' || account.name === '') {
      throw invalid(
        `accounts[${index}].name`,
        `accounts[${index}].name must be a non-empty string`,
      );
    }
    if (typeof account.secret !== 'string' || account.secret === '') {
      throw invalid(
        `accounts[${index}].secret`,
        `accounts[${index}].secret must be a non-empty string`,
      );
    }
  }
  for (const [index, postback] of (options.postbacks ?? []).entries()) {
    let url: URL | undefined;
    try {
      url = new URL(String(postback?.url).replace(/TS\{[^}]*\}/g, 'x'));
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol)) {
      throw invalid(
        `postbacks[${index}].url`,
        `postbacks[${index}].url "${String(postback?.url)}" is not an http(s) URL template`,
      );
    }
  }
  const timeout = options.blockingTimeoutMs;
  if (timeout !== undefined && !(timeout >= 0 && timeout <= 2_147_483_647)) {
    throw invalid('blockingTimeoutMs', 'blockingTimeoutMs must be a number of ms >= 0');
  }
}

/**
 * The account and the rest of an API path (`/<account>/<kind>/<tail>`), the tail still
 * percent-encoded so that an encoded `/` stays inside its segment. A malformed account escape
 * gives no account (answered 403).
 */
function apiPath(request: Request, kind: 'hit' | 'event'): { account?: string; tail: string } {
  const path = new URL(request.url).pathname;
  const marker = `/${kind}/`;
  const at = path.indexOf(marker, 1);
  return { account: decodeComponent(path.slice(1, at)), tail: path.slice(at + marker.length) };
}

/**
 * Creates an in-memory Tapstream: the web tracker script, hits, app events, the timeline lookup
 * and summary, explicit attribution (standing in for fingerprinting) and postbacks.
 *
 * @example
 * ```ts
 * const ts = createTapstreamEmulator({ accounts: [{ name: 'acme', secret: 's3cret' }] });
 * const server = setupServer(...ts.handlers);
 * // a page fires a hit (timeline cookie _tsclick), the app sends its install event, then:
 * ts.attribute(appSessionUuid, timelineId);
 * ```
 */
export function createTapstreamEmulator(options: TapstreamEmulatorOptions = {}): TapstreamEmulator {
  checkOptions(options);
  const now = options.now ?? Date.now;
  const cors = options.cors ?? true;
  const blockingTimeoutMs = options.blockingTimeoutMs ?? 10_000;
  const accounts = new Map((options.accounts ?? []).map((account) => [account.name, account]));
  const accountBySecret = new Map(
    (options.accounts ?? []).map((account) => [account.secret, account.name]),
  );
  const postbackTemplates = options.postbacks ?? [];
  const faults = createFaultInjector<TapstreamRoute>({
    routes: ['js', 'hit', 'event', 'lookup', 'summary'],
    plans: options.faults,
    seed: options.seed,
    cors,
  });
  const store = new TimelineStore();
  const script = tapstreamTrackerScript(options.tracker);

  // Postbacks: calls under way, finished calls with their order, and a generation that reset() bumps.
  let generation = 0;
  let postbackCount = 0;
  let calls: (PostbackCall & { readonly order: number })[] = [];
  const inFlight = new Set<Promise<void>>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const postBack = (session: StoredSession) => {
    const hit = store.creditedHit(session);
    if (!hit) return;
    for (const stored of session.events) {
      if (stored.postedBack) continue;
      stored.postedBack = true;
      for (const template of postbackTemplates) {
        if (template.events && !template.events.includes(stored.event.name)) continue;
        const url = expandPostbackUrl(template.url, {
          hit,
          event: {
            name: stored.event.name,
            created: stored.event.created,
            session: session.uuid,
            ip: stored.ip,
            custom_parameters: stored.event.custom_parameters,
          },
        });
        const order = postbackCount++;
        const started = generation;
        const base = { url, event: stored.event.name, session: session.uuid, order };
        const call = (async () => {
          let result: PostbackCall & { order: number };
          try {
            const response = await (options.fetch ?? globalThis.fetch)(url);
            // Read the answer whole: cancelling a body MSW mocked in Node never settles
            // (mswjs/interceptors #712), which would leave settled() waiting forever.
            await response.arrayBuffer().catch(() => undefined);
            result = { ...base, status: response.status };
          } catch (error) {
            result = { ...base, error: error instanceof Error ? error.message : String(error) };
          }
          if (started === generation) calls.push(result);
        })();
        inFlight.add(call);
        void call.finally(() => inFlight.delete(call));
      }
    }
  };

  // Attributions take effect by the emulator's clock: checked whenever the emulator is touched
  // (and by a timer, for a clock that is real time). Then every earlier event is posted back.
  const pending = new Set<StoredSession>();
  const promoteDue = () => {
    const time = now();
    for (const session of pending) {
      if (session.attributedAt! > time) continue;
      pending.delete(session);
      postBack(session);
    }
  };

  const hitResolver = ({ request }: { request: Request }) =>
    faults.answer('hit', async () => {
      const { account, tail } = apiPath(request, 'hit');
      if (account === undefined || !accounts.has(account)) {
        return textResponse('Forbidden', cors, 403);
      }
      const tracker = tail.endsWith('.gif')
        ? decodeComponent(tail.slice(0, -'.gif'.length))
        : undefined;
      if (!tracker || tracker.includes('/')) return textResponse('Not Found', cors, 404);
      const pairs = await readRequestParams(request);
      let tags: string[] = [];
      let timeline: string | undefined;
      const customParameters: [string, string][] = [];
      for (const [key, value] of pairs) {
        if (key === '__ts') tags = value.split(',').filter((tag) => tag !== '');
        else if (key === '__tl') timeline = value;
        else if (key.startsWith('custom-') && key.length > 'custom-'.length) {
          customParameters.push([key.slice('custom-'.length), value]);
        }
      }
      store.addHit(account, {
        tracker,
        timeline,
        created: Math.floor(now() / 1000),
        tags,
        customParameters,
      });
      return gifResponse(cors);
    });

  const eventResolver = ({ request }: { request: Request }) =>
    faults.answer('event', async () => {
      const path = apiPath(request, 'event');
      const account = path.account === undefined ? undefined : accounts.get(path.account);
      const form = new URLSearchParams(await request.text());
      if (!account || form.get('secret') !== account.secret) {
        return textResponse('Forbidden', cors, 403);
      }
      const { tail } = path;
      const name = tail.endsWith('/') ? decodeComponent(tail.slice(0, -1)) : undefined;
      if (name === undefined || tail.slice(0, -1).includes('/')) {
        return textResponse('Not Found', cors, 404);
      }
      const unsafe = unsafeEventNameReason(name);
      if (unsafe) return textResponse(`Not Found: ${unsafe}`, cors, 404);
      const uuid = form.get('uuid');
      if (!uuid) return textResponse('Bad Request: no uuid (the event session)', cors, 400);
      const createdText = form.get('created-ms');
      if (createdText !== null && !/^\d+$/.test(createdText)) {
        return textResponse('Bad Request: created-ms must be whole milliseconds', cors, 400);
      }
      const createdMs = createdText === null ? now() : Number(createdText);
      const customParameters: [string, string][] = [];
      for (const [key, value] of form) {
        if (!key.startsWith('custom-')) continue;
        const customKey = key.slice('custom-'.length);
        // Keys or values over 255 characters are dropped, as the SDKs do.
        if (customKey === '' || characterCount(customKey) > MAX_CUSTOM_LENGTH) continue;
        if (characterCount(value) > MAX_CUSTOM_LENGTH) continue;
        customParameters.push([customKey, value]);
      }
      const ip = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() ?? '';
      const session = store.addEvent(
        account.name,
        uuid,
        {
          name,
          created: Math.floor(createdMs / 1000),
          created_ms: createdMs,
          custom_parameters: Object.freeze(Object.fromEntries(customParameters)),
        },
        ip,
      );
      promoteDue();
      if (session.attributedAt !== undefined && !pending.has(session)) postBack(session);
      return textResponse('', cors, 200);
    });

  // The lookup and the summary: 403 for an unknown secret, `[]` until the conversion exists.
  const reportingResolver =
    (route: 'lookup' | 'summary') =>
    ({ request }: { request: Request }) =>
      faults.answer(route, async () => {
        const query = new URL(request.url).searchParams;
        const account = accountBySecret.get(query.get('secret') ?? '');
        if (account === undefined) return jsonResponse({ error: 'Forbidden' }, cors, 403);
        const uuid = query.get('event_session');
        if (!uuid) return jsonResponse({ error: 'event_session is required' }, cors, 400);
        const attributedAt = store.session(uuid)?.attributedAt;
        if (query.get('blocking') === 'true' && attributedAt !== undefined) {
          // Real waits, in steps, until the attribution takes effect by the clock or the bound is spent.
          for (let budget = blockingTimeoutMs; budget > 0 && attributedAt > now(); ) {
            const step = Math.min(Math.max(attributedAt - now(), 1), budget);
            await delay(step);
            budget -= step;
          }
        }
        promoteDue();
        const conversion = store.conversion(account, uuid, now());
        if (!conversion) return jsonResponse([], cors);
        return jsonResponse(route === 'lookup' ? conversion : toTimelineSummary(conversion), cors);
      });

  const api = bothSchemes([TAPSTREAM_HOSTS.api]);
  const reporting = bothSchemes([TAPSTREAM_HOSTS.reporting]);
  const handlers: HttpHandler[] = [
    http.get(urlRoute(bothSchemes([TAPSTREAM_HOSTS.cdn]), '/static/js/tapstream\\.js'), () =>
      faults.answer('js', () => scriptResponse(script)),
    ),
    http.get(urlRoute(api, '/[^/]+/hit/.*'), hitResolver),
    http.post(urlRoute(api, '/[^/]+/hit/.*'), hitResolver),
    http.post(urlRoute(api, '/[^/]+/event/.*'), eventResolver),
    http.get(urlRoute(reporting, '/v1/timelines/lookup'), reportingResolver('lookup')),
    http.get(urlRoute(reporting, '/v1/timelines/summary'), reportingResolver('summary')),
  ];

  return {
    handlers,
    timelines: () => store.timelines(),
    timeline: (id) => store.timeline(id),
    sessions() {
      promoteDue();
      return store.sessions();
    },
    attribute(eventSession, timelineId, attributeOptions = {}) {
      const delayMs = attributeOptions.delayMs ?? 0;
      if (!(delayMs >= 0 && delayMs <= 2_147_483_647)) {
        throw invalid('delayMs', 'delayMs must be a number of ms >= 0');
      }
      if (!store.hasTimeline(timelineId)) {
        throw invalid(
          'timelineId',
          `no click timeline "${timelineId}": fire a hit with it first (see timelines())`,
        );
      }
      promoteDue();
      const session = store.attribute(eventSession, timelineId, now() + delayMs);
      const remaining = session.attributedAt! - now();
      if (remaining <= 0) {
        postBack(session);
      } else if (!pending.has(session)) {
        pending.add(session);
        const timer = setTimeout(() => {
          timers.delete(timer);
          promoteDue();
        }, remaining);
        // Where timers can be unreferenced (Node), a pending attribution never holds the process.
        (timer as { unref?: () => void }).unref?.();
        timers.add(timer);
      }
    },
    postbacks() {
      promoteDue();
      return calls
        .slice()
        .sort((a, b) => a.order - b.order)
        .map(({ order: _, ...call }) => call);
    },
    async settled() {
      promoteDue();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    reset() {
      generation++;
      store.clear();
      pending.clear();
      calls = [];
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      faults.reset();
    },
    faults,
  };
}
