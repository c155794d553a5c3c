/** The API key of the crash flow's events. */
export const CRASH_API_KEY = 'playground-key';

/** How many events the child tracks between two reports of its count. */
export const CRASH_BATCH = 10;

const RIDERS = ['tintin', 'snowy', 'haddock', 'calculus'].map((name) => `${name}@herge.com`);

/**
 * The n-th event the crash flow's child tracks: its own second, so its own duplicate key
 * (`_p`, `_n`, `_t`), and its number in a property to find it again.
 */
export function crashMessage(index: number, start: number) {
  return {
    userId: RIDERS[index % RIDERS.length]!,
    event: 'Scanned Ticket',
    timestamp: new Date(start + index * 1000).toISOString(),
    properties: { ticket: index + 1 },
  };
}
