import type { KissmetricsClient, KissmetricsEvents } from '@kmkit/browser';
import { parseTrackingRequest, type TrackingRequest } from '@kmkit/core';
import { jsLiteral } from '../flow/call-text.js';
import {
  AD_BLOCKED_VISITOR,
  type AdBlockedVisitor,
  type ClientEventLine,
  createAdBlockedVisitor,
} from './clients.js';
import type { PageEmulators } from './emulators.js';
import { words } from './render.js';

/** What the relay panel needs from the page. */
export interface RelayPanelContext {
  readonly emulators: PageEmulators;
  /** Writes a line in the clients' log. */
  log(line: ClientEventLine): void;
}

type Route = keyof AdBlockedVisitor;

/** What a click's track() became first: its first answer, or nothing within the wait. */
type Outcome =
  | { readonly kind: 'delivered'; readonly request: TrackingRequest }
  | (KissmetricsEvents['retry'] & { readonly kind: 'retry' })
  | (KissmetricsEvents['error'] & { readonly kind: 'error' })
  | { readonly kind: 'silent' };

/** A click's result: blocked, delivered (to Kissmetrics), or failed otherwise, in words. */
interface Result {
  readonly outcome: 'blocked' | 'delivered' | 'failed';
  readonly text: string;
  /** What a blocked request became in the end: delivered, or given up in this page. */
  readonly later?: Promise<Result>;
}

const OUTCOME_WAIT_MS = 15_000;

/**
 * The first delivery event of `client` about a request that `ours` recognises (the click's own
 * request, not an older one of the queue still being retried), within `waitMs`. `settled` waits
 * past retries, for the request's end.
 */
function firstOutcome(
  client: KissmetricsClient,
  ours: (request: TrackingRequest) => boolean,
  { settled = false, waitMs = OUTCOME_WAIT_MS } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const stops: (() => void)[] = [];
    const settle = (outcome: Outcome) => {
      for (const stop of stops) stop();
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ kind: 'silent' }), waitMs);
    stops.push(
      client.on('delivered', ({ request }) => {
        if (ours(request)) settle({ kind: 'delivered', request });
      }),
      client.on('retry', (retry) => {
        if (!settled && ours(retry.request)) settle({ ...retry, kind: 'retry' });
      }),
      client.on('error', (error) => {
        if (ours(error.request)) settle({ ...error, kind: 'error' });
      }),
    );
  });
}

/** `trk.kissmetrics.io/e`, `localhost:5173/km/e`: where a request went, without its query. */
function target(request: TrackingRequest): string {
  const url = new URL(request.url);
  return `${url.host}${url.pathname}`;
}

/** A failed attempt in words: a network error (the ad-blocker's), a timeout, or the status. */
function failure(outcome: { readonly reason: string; readonly status?: number }): string {
  if (outcome.status !== undefined) return `status ${outcome.status}`;
  return outcome.reason === 'network' ? 'a network error' : outcome.reason;
}

/** `320 ms`, `2.5 s`. */
function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}

/**
 * Wires the relay panel: the ad-blocker switch, and track() through each of the visitor's two
 * clients, each click's result written beside its button; the panel shows what waits in the
 * browser, what the ad-blocker blocked and what the relay did.
 */
export function wireRelayPanel(panel: HTMLElement, context: RelayPanelContext): void {
  const { km, siteRelay, adBlocker } = context.emulators;
  const { relay } = siteRelay;
  const $ = <T extends HTMLElement = HTMLElement>(selector: string) =>
    panel.querySelector<T>(selector)!;
  const eventName = $<HTMLInputElement>('input[name="relayEvent"]');
  const blocking = $<HTMLInputElement>('input[name="adBlocker"]');
  const log = (source: ClientEventLine['source'], event: string, text: string) =>
    context.log({ source, event, text });
  // Made at the first click (see createAdBlockedVisitor).
  let visitor: AdBlockedVisitor | undefined;
  $('[data-testid="relay-visitor"]').replaceChildren(...words(AD_BLOCKED_VISITOR));
  blocking.addEventListener('change', () => {
    adBlocker.on = blocking.checked;
  });
  relay.on('answer', (answer) => {
    if (answer.outcome === 'accepted') {
      log(
        'relay',
        'answer',
        `200 to ${answer.path}: queued for Kissmetrics, _ip=${answer.ip ?? '(none)'} and _ua added`,
      );
    } else if (answer.outcome === 'refused') {
      log('relay', 'refused', `${answer.status} ${answer.reason}: ${answer.message}`);
    }
  });

  /** The relay's forwarding of what it accepted: settled, or still retrying after the wait. */
  const forwarded = () =>
    Promise.race([relay.flush(), new Promise((resolve) => setTimeout(resolve, OUTCOME_WAIT_MS))]);

  const send = async (route: Route): Promise<Result> => {
    const event = eventName.value.trim();
    if (event === '')
      return { outcome: 'failed', text: 'type an event name first: nothing was sent' };
    visitor ??= createAdBlockedVisitor(siteRelay.endpoint, context.log);
    const client = visitor[route];
    const via = route === 'direct' ? 'trk.kissmetrics.io' : 'relay';
    const before = Math.floor(Date.now() / 1000);
    const ours = (request: TrackingRequest) => {
      const { params } = parseTrackingRequest(request);
      const time = Number(params._t);
      return params._n === event && params.via === via && time >= before && time <= before + 1;
    };
    const outcome = firstOutcome(client, ours);
    // The visitor is named in the call: both clients send for the same person.
    const message = {
      type: 'track',
      userId: AD_BLOCKED_VISITOR,
      event,
      properties: { via },
    } as const;
    client.send(message);
    log(route, 'call', `send(${jsLiteral(message)})`);
    const first = await outcome;
    if (first.kind === 'silent') {
      return { outcome: 'failed', text: `no answer within ${OUTCOME_WAIT_MS / 1000} s` };
    }
    if (first.kind === 'error') {
      return { outcome: 'failed', text: `failed for good: ${first.reason}: ${first.message}` };
    }
    const where = `${first.request.method} ${target(first.request)}`;
    if (first.kind === 'retry') {
      const again = `tried again in ${duration(first.delayMs)}`;
      const waiting = `The request waits in the browser's queue (${client.stats().queued} waiting)`;
      return first.status === undefined && adBlocker.on
        ? {
            outcome: 'blocked',
            text: `blocked: ${where} failed with ${failure(first)}, as the ad-blocker makes it. ${waiting} and is ${again}, blocked again while the ad-blocker is on.`,
            later: firstOutcome(client, ours, { settled: true, waitMs: 60 * 60_000 }).then(
              (end): Result =>
                end.kind === 'delivered'
                  ? { outcome: 'delivered', text: 'Then delivered, once nothing blocked it.' }
                  : {
                      outcome: 'failed',
                      text: `Then given up in this page (${end.kind === 'error' ? end.reason : 'no answer'}): a site's client keeps it in localStorage for the next page load, this panel's in memory only.`,
                    },
            ),
          }
        : {
            outcome: 'failed',
            text: `${where} failed with ${failure(first)}. ${waiting} and is ${again}.`,
          };
    }
    if (route === 'direct') {
      return { outcome: 'delivered', text: `delivered: ${where} went through, nothing blocked it` };
    }
    // The relay answered 200 once it queued the request: now it goes on to Kissmetrics.
    await forwarded();
    const received = [...km.requests()]
      .reverse()
      .find((request) => request.params._n === event && request.params.via === via);
    if (!received) {
      return {
        outcome: 'failed',
        text: `the relay (${where}) answered 200, but Kissmetrics has not received it yet`,
      };
    }
    const { _p, _ip, _ua } = received.params;
    return {
      outcome: 'delivered',
      text: `the relay (${where}) answered 200 and forwarded it: Kissmetrics received it for _p=${_p} with _ip=${_ip ?? '(none)'} _ua=${_ua ?? '(none)'}`,
    };
  };

  for (const route of ['direct', 'relayed'] as const) {
    const button = $<HTMLButtonElement>(`[data-send="${route}"]`);
    const result = $(`[data-result="${route}"]`);
    button.addEventListener('click', async () => {
      button.disabled = true;
      result.textContent = '…';
      delete result.dataset.outcome;
      const { outcome, text, later } = await send(route);
      result.dataset.outcome = outcome;
      result.replaceChildren(...words(text));
      button.disabled = false;
      result.scrollIntoView({ block: 'nearest' });
      const end = await later;
      // Unless another click of this button wrote its own result meanwhile.
      if (!end || result.dataset.outcome !== 'blocked' || !result.textContent?.startsWith(text)) {
        return;
      }
      result.dataset.outcome = end.outcome;
      result.append(' ', ...words(end.text));
    });
  }

  const shown = { queued: '', blocked: '', relay: '' };
  const show = (name: keyof typeof shown, text: string) => {
    if (shown[name] === text) return;
    shown[name] = text;
    $(`[data-testid="relay-${name}"]`).replaceChildren(...words(text));
  };
  setInterval(() => {
    const waiting = (['direct', 'relayed'] as const)
      .map((route) => [route, visitor?.[route].stats().queued ?? 0] as const)
      .filter(([, queued]) => queued > 0)
      .map(([route, queued]) => `${route} ${queued}`);
    show('queued', waiting.join(', ') || 'none');
    show('blocked', String(adBlocker.blocked()));
    const stats = relay.stats();
    const refused = Object.values(stats.refused).reduce((sum, count) => sum + (count ?? 0), 0);
    show(
      'relay',
      `accepted ${stats.accepted}, delivered ${stats.client.delivered}${refused ? `, refused ${refused}` : ''}`,
    );
  }, 200);
}
