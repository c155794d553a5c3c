import { seededRandom } from '@kmkit/core/testing';
import { Window as HappyWindow, VirtualConsoleLogLevelEnum } from 'happy-dom';
import type { FlowClock } from '../flow/clock.js';

/** Options of {@link openDevicePage}. */
export interface DevicePageOptions {
  /** The page's address. */
  readonly url: string;
  /** The page's clock (`Date.now()`, `new Date()`): the flow's. */
  readonly clock: FlowClock;
  /** Seed of the page's `crypto.getRandomValues`, so the ids scripts make are the same every run. */
  readonly seed: number;
}

/** Globals the Kissmetrics and Tapstream snippets put on a page. */
export interface SnippetGlobals {
  _kmq?: { push(...items: unknown[]): unknown };
  _kmk?: string;
  KM?: { i(): string };
  _tsq?: { push(...items: unknown[]): unknown };
}

/**
 * A web page run in Node by happy-dom, for device mode without a browser: its scripts run for
 * real, its network goes through msw/node to the emulators, and its clock is the flow's.
 */
export interface DevicePage {
  /** The page's `window`, with the Kissmetrics and Tapstream globals. */
  readonly window: Window & SnippetGlobals;
  /**
   * Kissmetrics' snippet: `_kmq`, `_kmk`, then `i.js` and `<key>.2.js` as async scripts. Resolves
   * once both have loaded and run the queue.
   */
  installKissmetrics(apiKey: string): Promise<void>;
  /** Everything pushed on `_kmq` since the Kissmetrics JS loaded, in order (functions included). */
  kmqPushed(): unknown[];
  /** A cookie of the page, decoded, or undefined. */
  cookie(name: string): string | undefined;
  /** Resolves once the page is idle: scripts loaded, every beacon answered. */
  settled(): Promise<void>;
  /** What the page reported with `console.error` or as uncaught errors. */
  consoleErrors(): string[];
  close(): Promise<void>;
}

/**
 * Opens a page whose requests (scripts, `fetch`) are answered by the process's `fetch`, which
 * msw/node intercepts. happy-dom loads no images, so `new Image().src = url` (how the Kissmetrics
 * JS and Tapstream's tracker send their beacons) is sent as the same GET with `fetch`.
 */
export function openDevicePage(options: DevicePageOptions): DevicePage {
  const happy = new HappyWindow({
    url: options.url,
    settings: {
      // The page runs only the emulators' own scripts (the Kissmetrics JS, Tapstream's tracker).
      enableJavaScriptEvaluation: true,
      suppressInsecureJavaScriptEnvironmentWarning: true,
      disableCSSFileLoading: true,
      fetch: {
        interceptor: {
          async beforeAsyncRequest({ request, window }) {
            const method = request.method;
            const body =
              method === 'GET' || method === 'HEAD' ? undefined : await request.arrayBuffer();
            const response = await globalThis.fetch(request.url, {
              method,
              headers: Object.fromEntries(request.headers),
              ...(body === undefined ? {} : { body }),
            });
            return new window.Response(await response.arrayBuffer(), {
              status: response.status,
              statusText: response.statusText,
              headers: Object.fromEntries(response.headers),
            });
          },
        },
      },
    },
  });
  const page = happy as unknown as Window & SnippetGlobals & Record<string, unknown>;
  const { clock } = options;

  // The page's clock is the flow's, so the Kissmetrics JS stamps _t with the flow's times.
  const PageDate = page.Date as DateConstructor;
  page.Date = class extends PageDate {
    constructor(...args: unknown[]) {
      super(...((args.length === 0 ? [clock.now()] : args) as [number]));
    }
    static override now() {
      return clock.now();
    }
  } as DateConstructor;

  const random = seededRandom(options.seed);
  Object.defineProperty(page, 'crypto', {
    configurable: true,
    value: {
      getRandomValues<T extends ArrayBufferView | null>(array: T): T {
        if (array) {
          const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
          for (let index = 0; index < bytes.length; index++) {
            bytes[index] = Math.floor(random() * 256);
          }
        }
        return array;
      },
    },
  });

  const beacons = new Set<Promise<void>>();
  page.Image = class BeaconImage {
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    #src = '';
    get src() {
      return this.#src;
    }
    set src(value: string) {
      this.#src = new URL(value, page.location.href).href;
      const sent = globalThis
        .fetch(this.#src)
        .then(async (response) => {
          await response.arrayBuffer();
          if (response.ok) this.onload?.();
          else this.onerror?.();
        })
        .catch(() => this.onerror?.());
      beacons.add(sent);
      void sent.finally(() => beacons.delete(sent));
    }
  };

  const errors: string[] = [];
  const pushed: unknown[] = [];
  const settled = async () => {
    // A beacon's onload may start another request, and a script may send beacons: loop to quiet.
    for (let round = 0; round < 20; round++) {
      await happy.happyDOM.waitUntilComplete();
      if (beacons.size === 0) return;
      await Promise.allSettled([...beacons]);
    }
  };

  return {
    window: page,
    async installKissmetrics(apiKey) {
      page._kmq = (page._kmq as unknown[] | undefined) ?? ([] as unknown as SnippetGlobals['_kmq']);
      page._kmk = apiKey;
      const document = page.document;
      for (const src of [
        'https://i.kissmetrics.io/i.js',
        `https://scripts.kissmetrics.io/${encodeURIComponent(apiKey)}.2.js`,
      ]) {
        const script = document.createElement('script');
        script.async = true;
        script.src = src;
        document.head.appendChild(script);
      }
      await settled();
      // Watch the library's queue from now on, to show what the page's code pushes.
      const queue = page._kmq;
      if (queue && !Array.isArray(queue)) {
        const push = queue.push.bind(queue);
        queue.push = (...items: unknown[]) => {
          pushed.push(...items);
          return push(...items);
        };
      }
    },
    kmqPushed: () => pushed.slice(),
    cookie(name) {
      for (const part of page.document.cookie.split(';')) {
        const [key, ...value] = part.trim().split('=');
        if (key === name) return decodeURIComponent(value.join('='));
      }
      return undefined;
    },
    settled,
    consoleErrors() {
      // read() empties happy-dom's buffer: keep what it held.
      for (const entry of happy.happyDOM.virtualConsolePrinter.read()) {
        if (entry.level >= VirtualConsoleLogLevelEnum.error) {
          errors.push(entry.message.map(String).join(' '));
        }
      }
      return errors.slice();
    },
    close: () => happy.happyDOM.close(),
  };
}
