import type { Fault, KissmetricsEmulator, TapstreamEmulator } from '@kmkit/msw';

const TRACKING_ROUTES = ['e', 's', 'a'] as const;

/** What the fault panel asks for. */
interface FaultSettings {
  /** Share of tracking requests that fail, 0 to 1. */
  readonly rate: number;
  readonly failWith: Fault;
  readonly offline: boolean;
}

// The browser's own signal: cloud mode pauses while navigator.onLine is false, and resumes on
// the `online` event. A page cannot go offline by itself, so the property is shadowed.
let online = true;
Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });

/**
 * Applies the panel's settings: a failure rate on Kissmetrics' tracking routes (seeded, so a rate
 * gives the same failures every time), or offline: every request to either service fails as a
 * network error and the page says it is offline.
 */
function applyFaults(km: KissmetricsEmulator, ts: TapstreamEmulator, settings: FaultSettings) {
  for (const route of TRACKING_ROUTES) {
    if (settings.offline) km.faults.set(route, { rate: 1, failWith: 'network-error' });
    else if (settings.rate > 0)
      km.faults.set(route, { rate: settings.rate, failWith: settings.failWith });
    else km.faults.clear(route);
  }
  if (settings.offline) ts.faults.set('*', { rate: 1, failWith: 'network-error' });
  else ts.faults.clear('*');
  if (online === !settings.offline) return;
  online = !settings.offline;
  window.dispatchEvent(new Event(online ? 'online' : 'offline'));
}

/** Wires the fault panel to the emulators. */
export function wireFaults(panel: HTMLElement, km: KissmetricsEmulator, ts: TapstreamEmulator) {
  const rate = panel.querySelector<HTMLInputElement>('input[name="rate"]')!;
  const shown = panel.querySelector<HTMLOutputElement>('output[name="rateShown"]')!;
  const failWith = panel.querySelector<HTMLSelectElement>('select[name="failWith"]')!;
  const offline = panel.querySelector<HTMLInputElement>('input[name="offline"]')!;
  const update = () => {
    shown.value = `${rate.value}%`;
    const answer = failWith.value === 'network-error' ? 'network-error' : Number(failWith.value);
    applyFaults(km, ts, {
      rate: Number(rate.value) / 100,
      failWith: answer,
      offline: offline.checked,
    });
  };
  for (const control of [rate, failWith, offline]) control.addEventListener('input', update);
  update();
}

/** The faults injected so far, e.g. `e: 503 ×2, network-error ×1`. */
export function describeFaults(km: KissmetricsEmulator, ts: TapstreamEmulator): string {
  const parts: string[] = [];
  for (const [service, counts] of [
    ['Kissmetrics', km.faults.counts()],
    ['Tapstream', ts.faults.counts()],
  ] as const) {
    for (const [route, kinds] of Object.entries(counts)) {
      const list = Object.entries(kinds ?? {})
        .map(([kind, count]) => `${kind} ×${count}`)
        .join(', ');
      if (list) parts.push(`${service} ${route}: ${list}`);
    }
  }
  return parts.length === 0 ? 'none' : parts.join('; ');
}
