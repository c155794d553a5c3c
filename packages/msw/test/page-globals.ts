// What the Chromium suites read from `window` in page.evaluate callbacks.
import type { KissmetricsEmulator, TapstreamEmulator } from '../src/index.js';

declare global {
  interface Window {
    KM: { i(): string; ts(): number };
    _kmq: unknown[] | { push(...commands: unknown[]): number };
    _tsq: unknown[] | { push(...commands: unknown[]): number };
    km: KissmetricsEmulator;
    ts: TapstreamEmulator;
    workerState: Promise<string>;
    [key: string]: unknown;
  }
}
