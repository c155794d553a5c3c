// Launching the real Chromium every browser suite drives.
import { existsSync } from 'node:fs';
import { type Browser, chromium as playwright } from 'playwright-core';

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
