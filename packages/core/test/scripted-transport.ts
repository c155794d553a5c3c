// Test-only: a transport that answers from a script. Not exported from the package.

import type { Scheduler, Transport, TransportResponse } from '../src/delivery/types.js';
import type { TrackingRequest } from '../src/encoding/tracking-request.js';

/** One scripted answer: a status, a status with Retry-After, a network error, or no answer at all. */
export type ScriptedAnswer =
  | number
  | { readonly status: number; readonly retryAfter: string }
  | 'network-error'
  | 'hang';

export interface ScriptedTransport extends Transport {
  /** Every attempt, in order, with the request as it was sent. */
  readonly attempts: { readonly request: TrackingRequest; readonly aborted: () => boolean }[];
  /** Attempts currently waiting for an answer. */
  inFlight(): number;
  /** Peak of simultaneous attempts. */
  peak(): number;
}

/**
 * Answers attempt n with `script(request, n)` (n counts all attempts from 0); `'hang'` never answers
 * until aborted.
 */
export function scriptedTransport(
  script: (request: TrackingRequest, attempt: number) => ScriptedAnswer,
): ScriptedTransport {
  const attempts: ScriptedTransport['attempts'] = [];
  let inFlight = 0;
  let peak = 0;
  return {
    attempts,
    inFlight: () => inFlight,
    peak: () => peak,
    send(request, signal) {
      const answer = script(request, attempts.length);
      attempts.push({ request, aborted: () => signal.aborted });
      inFlight++;
      peak = Math.max(peak, inFlight);
      return new Promise<TransportResponse>((resolve, reject) => {
        const done = () => {
          inFlight--;
        };
        signal.addEventListener('abort', () => {
          done();
          reject(new Error('aborted'));
        });
        if (answer === 'hang') return;
        queueMicrotask(() => {
          if (signal.aborted) return;
          done();
          if (answer === 'network-error') reject(new TypeError('fetch failed'));
          else if (typeof answer === 'number') resolve({ status: answer });
          else resolve(answer);
        });
      });
    },
  };
}

/** A script from a list: attempt n gets `answers[n]`, then 200. */
export function answers(...list: ScriptedAnswer[]) {
  return (_request: TrackingRequest, attempt: number): ScriptedAnswer => list[attempt] ?? 200;
}

/** A tracking request to `origin` numbered `n` (distinct URLs make attempts easy to tell apart). */
export function request(n: number, origin = 'https://trk.kissmetrics.io'): TrackingRequest {
  return { method: 'GET', url: `${origin}/e?_k=k&_p=p${n}&_n=E&_t=${1_700_000_000 + n}&_d=1` };
}

/**
 * A transport over a slow network: attempt n is answered `delayMs` after it was sent (on the
 * scheduler's clock) with `script(request, n)`; `'hang'` never answers until aborted. `sentAt`
 * lists each attempt's monotonic send time.
 */
export function delayedTransport(
  scheduler: Pick<Scheduler, 'sleep'> & { monotonic(): number },
  delayMs: number,
  script: (request: TrackingRequest, attempt: number) => ScriptedAnswer,
): ScriptedTransport & { readonly sentAt: number[] } {
  const attempts: ScriptedTransport['attempts'] = [];
  const sentAt: number[] = [];
  let inFlight = 0;
  let peak = 0;
  return {
    attempts,
    sentAt,
    inFlight: () => inFlight,
    peak: () => peak,
    send(request, signal) {
      const answer = script(request, attempts.length);
      attempts.push({ request, aborted: () => signal.aborted });
      sentAt.push(scheduler.monotonic());
      inFlight++;
      peak = Math.max(peak, inFlight);
      return new Promise<TransportResponse>((resolve, reject) => {
        let done = false;
        const finish = () => {
          if (done) return false;
          done = true;
          inFlight--;
          return true;
        };
        signal.addEventListener('abort', () => finish() && reject(new Error('aborted')));
        if (answer === 'hang') return;
        void scheduler.sleep(delayMs).then(() => {
          if (!finish()) return;
          if (answer === 'network-error') reject(new TypeError('fetch failed'));
          else if (typeof answer === 'number') resolve({ status: answer });
          else resolve(answer);
        });
      });
    },
  };
}
