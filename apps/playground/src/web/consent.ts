import type { ConsentState } from '@kmkit/browser';
import type { Mode, PlaygroundClients } from './clients.js';
import { words } from './render.js';

/** What the consent panel needs from the page. */
export interface ConsentContext {
  readonly clients: PlaygroundClients;
  /** Writes a line in the clients' log. */
  log(mode: Mode, event: string, text: string): void;
}

const MODES = ['device', 'cloud'] as const;

/** The keys and cookies of kmkit and the Kissmetrics JS this site holds now. */
function stored(): string[] {
  const keys = Object.keys(localStorage).filter((key) => /^kmkit/.test(key));
  const cookies = document.cookie
    .split('; ')
    .map((cookie) => cookie.split('=')[0] ?? '')
    .filter((name) => /^(kmkit|km_|kvcd)/.test(name))
    .map((name) => `cookie ${name}`);
  return [...keys.sort(), ...cookies.sort()];
}

/**
 * Wires the consent panel: the switch gives the visitor's choice to both clients, `forget()`
 * forgets the visitor in both, and the panel shows what each client holds and dropped, and what
 * the site stores.
 */
export function wireConsent(panel: HTMLElement, { clients, log }: ConsentContext): void {
  const $ = (selector: string) => panel.querySelector<HTMLElement>(selector)!;
  for (const radio of panel.querySelectorAll<HTMLInputElement>('input[name="consent"]')) {
    radio.addEventListener('change', () => {
      for (const mode of MODES) {
        log(mode, 'call', `setConsent('${radio.value}')`);
        clients[mode].setConsent(radio.value as ConsentState);
      }
    });
  }
  $('[data-action="forget"]').addEventListener('click', () => {
    for (const mode of MODES) {
      log(mode, 'call', 'forget()');
      clients[mode].forget();
    }
  });

  const shown = { held: '', dropped: '', stored: '' };
  const show = (name: keyof typeof shown, text: string) => {
    if (shown[name] === text) return;
    shown[name] = text;
    $(`[data-testid="${name}"]`).replaceChildren(...words(text));
  };
  const count = (name: 'held' | 'dropped') =>
    MODES.map((mode) => [mode, clients[mode].stats()[name]] as const)
      .filter(([, count]) => count > 0)
      .map(([mode, count]) => `${mode} ${count}`)
      .join(', ') || 'none';
  setInterval(() => {
    show('held', count('held'));
    show('dropped', count('dropped'));
    show('stored', stored().join(', ') || 'nothing');
  }, 200);
}
