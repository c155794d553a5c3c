/**
 * One scripted answer of a faulty route:
 *
 * - a status number (`500`, `503`, `429`, `408`...): that status, no body;
 * - `{ status, retryAfter?, body? }`: that status with a `Retry-After` header, in seconds (`'2'`,
 *   `2`) or as an HTTP date (a `Date` is written with `toUTCString()`);
 * - `'network-error'`: the connection fails (`fetch` rejects with a `TypeError`);
 * - `{ delayMs }`: answer normally after a real delay (the request has its normal effect);
 * - `'ok'`: answer normally.
 */
export type Fault =
  | number
  | {
      readonly status: number;
      readonly retryAfter?: string | number | Date;
      readonly body?: string;
    }
  | 'network-error'
  | { readonly delayMs: number }
  | 'ok';

/**
 * What a route answers: first the scripted `answers`, one per call in order (call 1 gets
 * `answers[0]`), then each later call fails with probability `rate`, answering `failWith`.
 */
export interface FaultPlan {
  /** Probability in [0, 1] that a call after the script fails. Decided by the seeded PRNG. */
  readonly rate?: number;
  /** What a random failure answers. Default `503`. */
  readonly failWith?: Fault;
  /** Answers by call number, counted from when the plan was set. */
  readonly answers?: readonly Fault[];
}

/**
 * How an injected fault is counted: the status as a string (`'503'`), `'network-error'`, or
 * `'delay'` for a delayed normal answer.
 */
export type FaultKind = `${number}` | 'network-error' | 'delay';

/** Injected faults per route and kind, e.g. `{ e: { '503': 2, 'network-error': 1 } }`. */
export type FaultCounts<Route extends string> = {
  readonly [R in Route]?: Readonly<Partial<Record<FaultKind, number>>>;
};

/** Initial fault plans by route, as passed in an emulator's `faults` option. */
export type FaultPlans<Route extends string> = { readonly [R in Route | '*']?: FaultPlan };

/** Fault injection of one emulator. `'*'` is a plan for every route that has none of its own. */
export interface FaultController<Route extends string> {
  /** Replaces the plan of a route (or `'*'`); its call numbers start again at 1. */
  set(route: Route | '*', plan: FaultPlan): void;
  /** Removes the plan of one route, or every plan. Counters are kept. */
  clear(route?: Route | '*'): void;
  /** Faults injected so far, per route and kind. */
  counts(): FaultCounts<Route>;
  /** Requests that reached a route so far (faulted or not). */
  calls(route: Route): number;
}
