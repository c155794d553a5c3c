import { type KmqCommand, mapEvent, toKmq } from '@kmkit/core';
import type { DevicePage } from '../page/index.js';

/**
 * What device mode pushes for a spec message: `@kmkit/core`'s device-mode commands as `_kmq`
 * arrays, exactly what `@kmkit/browser/device` pushes for the same call.
 */
export function deviceCommands(message: Record<string, unknown>): KmqCommand[] {
  return mapEvent(message, { mode: 'device' }).commands.map(toKmq);
}

/**
 * Pushes a message's `_kmq` commands on a page running the Kissmetrics JS, and waits until the
 * library's beacons are answered. Returns the commands pushed.
 */
export async function pushOnPage(
  page: DevicePage,
  message: Record<string, unknown>,
): Promise<KmqCommand[]> {
  const commands = deviceCommands(message);
  // Copies: the library reads the arrays it is given, as it would a page's literals.
  page.window._kmq?.push(...commands.map((command) => [...command]));
  await page.settled();
  return commands;
}
