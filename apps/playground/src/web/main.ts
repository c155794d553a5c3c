// The playground page: the emulators in an MSW service worker, a device-mode and a cloud-mode
// client, forms for every call, fault controls, the Tapstream guide, consent, an ad-blocked
// visitor and the site's relay, and live views of the wire and of what Kissmetrics shows.
import './style.css';
import type { KissmetricsPerson } from '@kmkit/msw';
import { callFromForm } from './calls.js';
import { AD_BLOCKED_VISITOR, type ClientEventLine, createClients, type Mode } from './clients.js';
import { wireConsent } from './consent.js';
import { API_KEY, startEmulators, TAPSTREAM_ACCOUNT } from './emulators.js';
import { describeFaults, wireFaults } from './faults.js';
import { wireRelayPanel } from './relay-panel.js';
import { element, eventItem, kmqItem, personCard, requestItem, sentFrom } from './render.js';
import { wireTapstreamGuide } from './tapstream-guide.js';

const $ = <T extends Element = HTMLElement>(selector: string) =>
  document.querySelector<T>(selector)!;

const kmq: unknown[] = [];
const events: ClientEventLine[] = [];
const status = $('[data-testid="status"]');
status.textContent = 'starting the emulators…';

const emulators = await startEmulators();
const { km, ts } = emulators;
const clients = await createClients(
  (item) => kmq.push(item),
  (line) => events.push(line),
);
const mode = (): Mode =>
  ($<HTMLInputElement>('input[name="mode"]:checked').value as Mode) ?? 'device';
const problem = (text: string) => events.push({ source: mode(), event: 'input', text });

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-call]')) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const current = mode();
    const call = callFromForm(clients[current], form, problem);
    if (call) events.push({ source: current, event: 'call', text: call });
    // identify and reset change who the visitor is.
    void refreshIdentities();
  });
}
wireFaults($('#faults'), km, ts);
wireConsent($('#consent'), {
  clients,
  log: (which, event, text) => events.push({ source: which, event, text }),
});
wireTapstreamGuide($('#tapstream'), {
  emulators,
  mode,
  client: (which) => clients[which],
  problem,
});
wireRelayPanel($('#relay'), {
  emulators,
  log: (line) => events.push(line),
});
$('#reset').addEventListener('click', () => {
  // Forget everything: the queue (without sending it), storage and cookies; the emulators live
  // in this page's memory, so the reload starts them empty.
  clients.cloud.reset({ clearQueue: true });
  localStorage.clear();
  sessionStorage.clear();
  for (const part of document.cookie.split(';')) {
    const name = part.split('=')[0]?.trim();
    // biome-ignore lint/suspicious/noDocumentCookie: expiring the page's own cookies, as a reset.
    if (name) document.cookie = `${name}=; path=/; max-age=0`;
  }
  location.reload();
});

// The identities each visitor has had, to say whose timeline is whose.
const seen: Record<Mode | 'ad-blocked', Set<string>> = {
  device: new Set(),
  cloud: new Set(),
  'ad-blocked': new Set([AD_BLOCKED_VISITOR]),
};
const identityShown = $('[data-testid="identity"]');
async function refreshIdentities() {
  // Device mode: read the library's KM.i() directly; the client's identity() would push a
  // function on _kmq at every refresh.
  const library = (window as { KM?: { i(): string } }).KM;
  const identities: Record<Mode, string | undefined> = {
    device: library?.i(),
    cloud: await clients.cloud.identity().catch(() => undefined),
  };
  for (const which of ['device', 'cloud'] as const) {
    const identity = identities[which];
    if (identity) seen[which].add(identity);
  }
  identityShown.textContent =
    identities[mode()] ||
    (clients[mode()].stats().consent === 'granted'
      ? '(the Kissmetrics JS has not loaded yet)'
      : '(none before consent)');
}

const shown = { kmq: 0, requests: 0, events: 0, people: '', faults: '' };
// Shows a log's items, the ones added since `before` marked fresh, scrolled to the newest.
function replace(list: Element, items: HTMLElement[], before: number) {
  for (const item of items.slice(before)) item.classList.add('fresh');
  list.replaceChildren(...items);
  list.scrollTop = list.scrollHeight;
}
// Every timeline event shown so far, to mark the new ones.
const eventsShown = new Set<string>();
function labels(person: KissmetricsPerson): string[] {
  return (['device', 'cloud', 'ad-blocked'] as const)
    .filter((which) => person.identities.some((identity) => seen[which].has(identity)))
    .map((which) => `${which} visitor`);
}
function render() {
  if (kmq.length !== shown.kmq) {
    replace($('[data-testid="kmq"]'), kmq.map(kmqItem), shown.kmq);
    shown.kmq = kmq.length;
  }
  const requests = km.requests();
  if (requests.length !== shown.requests) {
    replace($('[data-testid="requests"]'), requests.map(requestItem), shown.requests);
    shown.requests = requests.length;
  }
  if (events.length !== shown.events) {
    replace($('[data-testid="events"]'), events.map(eventItem), shown.events);
    shown.events = events.length;
  }
  const people = km.people();
  const origins = people.map((person) => sentFrom(person, requests));
  const view = JSON.stringify([people, people.map(labels), origins]);
  if (view !== shown.people) {
    shown.people = view;
    const fresh = (event: KissmetricsPerson['events'][number]) => {
      const key = JSON.stringify(event);
      if (eventsShown.has(key)) return false;
      eventsShown.add(key);
      return true;
    };
    $('[data-testid="people"]').replaceChildren(
      ...(people.length === 0
        ? [element('p', { class: 'hint' }, 'nobody yet')]
        : people.map((person, index) => personCard(person, labels(person), fresh, origins[index]))),
    );
  }
  const faults = describeFaults(km, ts);
  if (faults !== shown.faults) {
    shown.faults = faults;
    $('[data-testid="faults"]').textContent = faults;
  }
}

await refreshIdentities();
setInterval(() => {
  void refreshIdentities();
}, 1000);
for (const radio of document.querySelectorAll('input[name="mode"]')) {
  radio.addEventListener('change', () => void refreshIdentities());
}
setInterval(render, 200);
render();
status.textContent = `running here: Kissmetrics (API key ${API_KEY}), Tapstream (account ${TAPSTREAM_ACCOUNT.name})`;
document.body.dataset.ready = 'true';
// For the console: window.playground.km.people(), .ts.timelines(), .clients.cloud.stats().
Object.assign(window, { playground: { ...emulators, clients } });
