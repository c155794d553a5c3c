import type { DevicePage } from './device-page.js';

// What `@kmkit/browser` reads of a page: its DOM, storage, events and randomness (the page's is
// seeded, so ids are the same every run).
const PAGE = [
  'document',
  'location',
  'navigator',
  'localStorage',
  'addEventListener',
  'removeEventListener',
  'dispatchEvent',
  'StorageEvent',
  'crypto',
] as const;
// What the Kissmetrics snippet and its library share on `window`: read and written through.
const SHARED = ['_kmq', '_kmk', 'KM'] as const;

/**
 * Runs `action` with a happy-dom page's globals as Node's own, so that `@kmkit/browser`, which
 * reads `document`, `localStorage`, `navigator`... where it runs, works on that page as in a
 * browser: its cookies and storage are the page's, its script elements load in the page (through
 * msw/node), and `_kmq` is the page's. Node's globals are put back afterwards, also on a throw.
 * Requests made with `fetch` still go through msw/node.
 */
export async function withPageGlobals<T>(page: DevicePage, action: () => Promise<T>): Promise<T> {
  const window = page.window as unknown as Record<string, unknown>;
  const saved = new Map<string, PropertyDescriptor | undefined>();
  const define = (name: string, descriptor: PropertyDescriptor) => {
    saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
    Object.defineProperty(globalThis, name, { configurable: true, ...descriptor });
  };
  for (const name of PAGE) {
    const value = window[name];
    // Methods of the page's window run on it; classes and objects are taken as they are.
    const bound = typeof value === 'function' && /^[a-z]/.test(name) ? value.bind(window) : value;
    define(name, { value: bound, writable: true });
  }
  for (const name of SHARED) {
    define(name, {
      get: () => window[name],
      set: (value: unknown) => {
        window[name] = value;
      },
    });
  }
  try {
    return await action();
  } finally {
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else delete (globalThis as Record<string, unknown>)[name];
    }
  }
}
