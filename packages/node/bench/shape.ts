import { toTrackingRequest } from '@kmkit/core';

/** Every client in the bench sends events of this shape: a real track with two properties. */
export function benchMessage(index: number) {
  return {
    userId: `user-${index % 1000}`,
    event: `Purchased ${index}`,
    timestamp: 1_714_564_800 + (index % 3600),
    properties: { plan: 'pro', amount: 19.99 },
  };
}

/** The tracking request URL that `benchMessage(index)` becomes, for the clients that take URLs. */
export function benchUrl(endpoint: string, index: number): string {
  const message = benchMessage(index);
  return toTrackingRequest(
    {
      type: 'record',
      person: message.userId,
      event: message.event,
      time: message.timestamp,
      properties: message.properties,
    },
    { apiKey: 'bench-key', endpoint },
  ).url;
}

/** Prints a phase's result as the last line of stdout, for `run.ts`. */
export function report(result: Record<string, number | string>): void {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

/**
 * Offers `total` events at `rate` a second (all at once when `rate` is Infinity): every 10 ms the
 * events due by then are handed to `send`, however late the timer fires. `onTick` runs at each
 * tick (for sampling). Resolves when the last event was handed over.
 */
export function offer(
  total: number,
  rate: number,
  send: (index: number) => void,
  onTick: () => void = () => {},
): Promise<void> {
  const started = performance.now();
  let sent = 0;
  return new Promise((resolve) => {
    const tick = () => {
      onTick();
      const due = Math.min(total, Math.ceil(((performance.now() - started) / 1000) * rate));
      while (sent < due) send(sent++);
      if (sent === total) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 10);
    tick();
  });
}
