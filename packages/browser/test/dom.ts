// Test-only helpers for the happy-dom unit tests: a clean page, a stand-in Kissmetrics library,
// Web Locks, and beacons that reach the MSW emulator.
import { createKissmetricsEmulator, type KissmetricsEmulator } from '@kmkit/msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export const API_KEY = 'km-test-key';

interface KmGlobals {
  _kmq?: unknown;
  _kmk?: unknown;
  KM?: unknown;
}

/** Forgets everything a previous test left on the page: storage, cookies, scripts, KM globals. */
export function resetPage(): void {
  localStorage.clear();
  for (const cookie of document.cookie.split(';')) {
    const name = cookie.split('=')[0]?.trim();
    // biome-ignore lint/suspicious/noDocumentCookie: happy-dom's cookies, expired the way a page does.
    if (name) document.cookie = `${name}=; path=/; max-age=0`;
  }
  for (const script of Array.from(document.getElementsByTagName('script'))) script.remove();
  const globals = window as unknown as KmGlobals;
  delete globals._kmq;
  delete globals._kmk;
  delete globals.KM;
  // A new page load: its automatic events are judged again.
  delete (document as unknown as Record<symbol, unknown>)[Symbol.for('kmkit.pageLoadJudged')];
}

/** The `_kmq` array as the page holds it before the library loads. */
export function queued(): unknown[] {
  return (window as unknown as { _kmq: unknown[] })._kmq;
}

/**
 * Loads a stand-in for the Kissmetrics library, following its documented contract: it defines
 * `KM.i()`, runs the queued commands in order (functions with `KM` loaded), then replaces `_kmq`
 * with an object that runs what is pushed at once. Returns every command it ran.
 */
export function loadLibrary(identity: string): unknown[][] {
  const ran: unknown[][] = [];
  const globals = window as unknown as KmGlobals;
  globals.KM = { i: () => identity };
  const run = (command: unknown) => {
    if (typeof command === 'function') command();
    else ran.push(command as unknown[]);
  };
  const earlier = (globals._kmq as unknown[] | undefined) ?? [];
  globals._kmq = {
    push: (...commands: unknown[]) => {
      for (const command of commands) run(command);
    },
  };
  for (const command of earlier) run(command);
  return ran;
}

/** A first-party proxy path the emulator also serves. */
export const PROXY_ENDPOINT = 'https://site.test/km';

/**
 * One emulated Kissmetrics per test file, taking any API key (tests tell theirs apart by `_k`), on
 * its own hosts and at {@link PROXY_ENDPOINT}; a request no handler answers fails the test.
 */
export function useEmulator(): KissmetricsEmulator {
  const km = createKissmetricsEmulator({ endpoints: [PROXY_ENDPOINT] });
  const server = setupServer(...km.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  beforeEach(() => km.reset());
  afterAll(() => server.close());
  return km;
}

/** Replaces `navigator.sendBeacon` with one that POSTs to the emulator, as a browser would. */
export function beaconsToEmulator(): { calls: { url: string; body: string; type: string }[] } {
  const calls: { url: string; body: string; type: string }[] = [];
  const sendBeacon = (url: string, data: Blob) => {
    calls.push({ url, body: '', type: data.type });
    const call = calls[calls.length - 1]!;
    void data.text().then(async (body) => {
      call.body = body;
      await fetch(url, { method: 'POST', body, headers: { 'content-type': data.type } });
    });
    return true;
  };
  Object.defineProperty(navigator, 'sendBeacon', { value: sendBeacon, configurable: true });
  return { calls };
}

/**
 * An in-page Web Locks manager: one holder per name, the others wait in order; `ifAvailable` gets
 * `null` at once when the lock is held. `request` rejects when `refuse` is set, like a browser that
 * refuses Web Locks to the page.
 */
export function installLocks(options: { refuse?: boolean } = {}): void {
  const queues = new Map<string, Promise<unknown>>();
  const held = new Set<string>();
  const locks = {
    request(name: string, ...args: unknown[]) {
      const callback = args.pop() as (lock: { name: string } | null) => unknown;
      const { ifAvailable } = (args[0] ?? {}) as { ifAvailable?: boolean };
      if (options.refuse) return Promise.reject(new DOMException('denied', 'SecurityError'));
      if (ifAvailable && held.has(name)) return Promise.resolve(callback(null));
      const granted = (queues.get(name) ?? Promise.resolve()).then(async () => {
        held.add(name);
        try {
          return await callback({ name });
        } finally {
          held.delete(name);
        }
      });
      queues.set(
        name,
        granted.catch(() => undefined),
      );
      // Held from the moment it is asked for without waiting, as a browser grants a free lock.
      if (ifAvailable) held.add(name);
      return granted;
    },
  };
  Object.defineProperty(navigator, 'locks', { value: locks, configurable: true });
}

/** Removes the Web Locks installed by {@link installLocks}: happy-dom has none of its own. */
export function removeLocks(): void {
  Object.defineProperty(navigator, 'locks', { value: null, configurable: true });
}

/**
 * The page's localStorage with some methods replaced. A plain object: a Storage keeps any property
 * assigned to it as an item, so its methods cannot be replaced in place.
 */
export function pageStorageWith(
  overrides: Partial<Pick<Storage, 'setItem' | 'getItem' | 'removeItem'>>,
): Storage {
  return {
    getItem: (key) => localStorage.getItem(key),
    setItem: (key, value) => localStorage.setItem(key, value),
    removeItem: (key) => localStorage.removeItem(key),
    key: (index) => localStorage.key(index),
    clear: () => localStorage.clear(),
    get length() {
      return localStorage.length;
    },
    ...overrides,
  };
}
