/**
 * Test-only helpers for the real-Chromium suites: launch Chromium, route every page request into
 * MSW handlers (so the page talks to the `@kmkit/msw` emulators living in the test process), bundle
 * workspace sources for the page, and collect console errors.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { getResponse, type RequestHandler } from 'msw';
import {
  type Browser,
  type BrowserContext,
  type ConsoleMessage,
  type Page,
  chromium as playwright,
  type Route,
} from 'playwright-core';

/** Where the Chromium binary came from: `CHROMIUM_PATH`, the system package, or `@sparticuz/chromium`. */
export type ChromiumSource = 'env' | 'system' | 'npm';

const SYSTEM_CHROMIUM = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];

// Flags that keep a root, offline, headless Chromium quiet: without the networking ones it keeps
// dialling Google hosts that this machine refuses.
const FLAGS = [
  '--no-sandbox',
  '--no-zygote',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Finds a Chromium: `CHROMIUM_PATH`, then the system one, then the binary shipped by `@sparticuz/chromium`. */
export async function findChromium(): Promise<{ path: string; source: ChromiumSource }> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return { path: fromEnv, source: 'env' };
  }
  const system = SYSTEM_CHROMIUM.find((candidate) => existsSync(candidate));
  if (system) return { path: system, source: 'system' };
  const { default: sparticuz } = await import('@sparticuz/chromium');
  return { path: await sparticuz.executablePath(), source: 'npm' };
}

/** Launches a headless Chromium. Close it in `afterAll`. */
export async function launchChromium(): Promise<Browser> {
  const { path } = await findChromium();
  return playwright.launch({ executablePath: path, args: FLAGS, headless: true });
}

/** What {@link routeToMsw} saw that no handler answered. */
export interface MswRoute {
  /** `METHOD url` of every request no handler answered (each was failed as a network error). */
  readonly unhandled: string[];
  /** Stops routing. */
  dispose(): Promise<void>;
}

async function toFetchRequest(route: Route): Promise<Request> {
  const request = route.request();
  const method = request.method();
  const body = method === 'GET' || method === 'HEAD' ? undefined : request.postDataBuffer();
  return new Request(request.url(), {
    method,
    headers: await request.allHeaders(),
    body: body ? new Uint8Array(body) : undefined,
  });
}

/**
 * Answers every request of a page or context from MSW handlers, as `setupServer` does in Node.
 * A request no handler answers fails as a network error and is listed in `unhandled`, so a test
 * can assert that nothing reached an unexpected host.
 */
export async function routeToMsw(
  target: BrowserContext | Page,
  handlers: readonly RequestHandler[],
): Promise<MswRoute> {
  const unhandled: string[] = [];
  const onRoute = async (route: Route) => {
    const request = route.request();
    const response = await getResponse([...handlers], await toFetchRequest(route));
    if (!response) {
      unhandled.push(`${request.method()} ${request.url()}`);
      await route.abort('failed');
      return;
    }
    if (response.type === 'error') {
      await route.abort('connectionreset');
      return;
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    await route.fulfill({
      status: response.status,
      headers,
      body: Buffer.from(await response.arrayBuffer()),
    });
  };
  await target.route('**/*', onRoute);
  return {
    unhandled,
    dispose: () => target.unroute('**/*', onRoute),
  };
}

/** Collects console errors and uncaught page errors; assert the list is empty at the end of a test. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/**
 * Bundles a workspace module (from source, through the `@kmkit/source` condition) into one script
 * for a page. With `globalName` the module's exports land on `window[globalName]`.
 */
export async function bundleForBrowser(
  entry: string | URL,
  options: { globalName?: string; minify?: boolean } = {},
): Promise<string> {
  const entryPath = entry instanceof URL ? fileURLToPath(entry) : entry;
  const result = await build({
    entryPoints: [entryPath],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    conditions: ['@kmkit/source'],
    minify: options.minify ?? false,
    ...(options.globalName ? { globalName: options.globalName } : {}),
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
