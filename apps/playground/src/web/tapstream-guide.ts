import type { KissmetricsClient } from '@kmkit/browser';
import {
  aliasOnboardedUser,
  createLocalStorageAliasStore,
  extractKmIdentity,
  installTapstreamBridge,
  lookupTimeline,
} from '@kmkit/tapstream-bridge';
import type { Mode } from './clients.js';
import { API_KEY, type PageEmulators, TAPSTREAM_ACCOUNT } from './emulators.js';
import { words } from './render.js';

/** What the guide needs from the page. */
export interface GuideContext {
  readonly emulators: PageEmulators;
  /** The mode the visitor is in, and that mode's client. */
  mode(): Mode;
  client(mode: Mode): KissmetricsClient;
  /** Reports a step that went wrong, without a console error. */
  problem(message: string): void;
}

/** What the Tapstream app SDK sends for one event: a form POST to the event API. */
async function sendAppEvent(uuid: string, name: string): Promise<number> {
  const body = new URLSearchParams({
    secret: TAPSTREAM_ACCOUNT.secret,
    sdkversion: '4.0.0',
    uuid,
    platform: 'iOS',
    'created-ms': String(Date.now()),
  });
  const response = await fetch(
    `https://api.tapstream.com/${TAPSTREAM_ACCOUNT.name}/event/${encodeURIComponent(name)}/`,
    { method: 'POST', body },
  );
  return response.status;
}

function cookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** Wires the four steps of the Tapstream web-to-app guide. */
export function wireTapstreamGuide(panel: HTMLElement, context: GuideContext): void {
  const { ts, forwarder, postbackAnswers } = context.emulators;
  const button = (step: string) => panel.querySelector<HTMLButtonElement>(`[data-step="${step}"]`)!;
  const result = (step: string) => panel.querySelector<HTMLElement>(`[data-result="${step}"]`)!;
  const appUser = panel.querySelector<HTMLInputElement>('input[name="appUser"]')!;
  const appSession = crypto.randomUUID();
  let timelineId = '';

  const run = (step: string, next: string | undefined, action: () => Promise<string>) => {
    button(step).addEventListener('click', async () => {
      button(step).disabled = true;
      result(step).textContent = '…';
      try {
        result(step).replaceChildren(...words(await action()));
        result(step).dataset.done = 'true';
        // The result can be longer than the placeholder: keep it on screen.
        result(step).scrollIntoView({ block: 'nearest' });
        if (next) button(next).disabled = false;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        result(step).textContent = `failed: ${message}`;
        context.problem(`Tapstream step "${step}": ${message}`);
        button(step).disabled = false;
      }
    });
  };

  run('visit', 'install', async () => {
    const mode = context.mode();
    const bridge = installTapstreamBridge({
      accountName: TAPSTREAM_ACCOUNT.name,
      // Device mode reads KM.i() inside a function on _kmq, as Tapstream's snippet; cloud mode
      // asks the cloud client. Either way the hit waits for that client's consent.
      identity: mode === 'device' ? 'kissmetrics' : context.client('cloud'),
      consent: context.client(mode),
    });
    const hit = await bridge.hit;
    if (!hit.identity)
      throw new Error(
        `the hit went out without km_identity: ${hit.unavailable?.message ?? 'no identity'}`,
      );
    // The hit's beacon is on its way; its click timeline is the tracker's cookie.
    for (let wait = 0; wait < 50 && !ts.timeline(cookie('_tsclick') ?? '')?.hits.length; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    timelineId = cookie('_tsclick') ?? '';
    const hits = ts.timeline(timelineId)?.hits ?? [];
    if (hits.length === 0) throw new Error('Tapstream has not received the hit');
    return `Tapstream received the ${mode} visitor's visit with km_identity=${hits[0]!.custom_parameters.km_identity} (tracker ${hits[0]!.tracker}, click timeline ${timelineId})`;
  });

  run('install', 'alias', async () => {
    const status = await sendAppEvent(appSession, 'ios-myapp-install');
    if (status !== 200) throw new Error(`Tapstream answered ${status} to the install event`);
    // Standing in for Tapstream's fingerprinting: the app's session joins the visitor's click.
    ts.attribute(appSession, timelineId, { delayMs: 1500 });
    return `Tapstream answered ${status} to the install (app session ${appSession}) and credits it to the visit's click timeline ${timelineId}; the app can look it up 1.5 s later`;
  });

  run('alias', 'use', async () => {
    const timeline = await lookupTimeline({
      secret: TAPSTREAM_ACCOUNT.secret,
      eventSession: appSession,
      attempts: 10,
      intervalMs: 500,
    });
    const kmIdentity = extractKmIdentity(timeline);
    const { outcome } = await aliasOnboardedUser({
      apiKey: API_KEY,
      timeline,
      namedIdentity: appUser.value.trim(),
      store: createLocalStorageAliasStore(),
    });
    await ts.settled();
    await forwarder.flush();
    return `lookupTimeline found km_identity=${kmIdentity ?? '(none)'}; aliasOnboardedUser: ${outcome}`;
  });

  run('use', undefined, async () => {
    const statuses = [
      await sendAppEvent(appSession, 'ios-myapp-open'),
      await sendAppEvent(appSession, 'ios-myapp-purchase-pro'),
    ];
    await ts.settled();
    await forwarder.flush();
    const answers = postbackAnswers
      .map((answer) => `${answer.postback?.event ?? '?'} ${answer.outcome}`)
      .join(', ');
    return `Tapstream answered ${statuses.join(', ')} to the app's events and posted them back; your server: ${answers}`;
  });
}
