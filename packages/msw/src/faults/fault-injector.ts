import { KmValidationError } from '@kmkit/core';
import { delay, HttpResponse } from 'msw';
import { chance } from './chance.js';
import type {
  Fault,
  FaultController,
  FaultCounts,
  FaultKind,
  FaultPlan,
  FaultPlans,
} from './fault.js';

/** The fault controller an emulator keeps for itself: it also answers requests. */
export interface FaultInjector<Route extends string> extends FaultController<Route> {
  /**
   * Answers one request of `route`: the injected fault, or `respond()` when there is none (or
   * after the delay of a `{ delayMs }` fault). A faulted request never reaches `respond`.
   */
  answer(route: Route, respond: () => Response | Promise<Response>): Promise<Response>;
  /** Back to the plans given at creation, with every counter at zero. */
  reset(): void;
}

/** Options of {@link createFaultInjector}. */
export interface FaultInjectorOptions<Route extends string> {
  /** The route names this emulator has. */
  readonly routes: readonly Route[];
  /** Plans in force from the start (and again after `reset()`). */
  readonly plans?: FaultPlans<Route> | undefined;
  /** Seed of the PRNG behind `rate`. Default 1. */
  readonly seed?: number | undefined;
  /** Add `access-control-allow-origin: *` to faulted answers, so a page can read their status. */
  readonly cors: boolean;
}

interface ActivePlan {
  readonly plan: FaultPlan;
  calls: number;
}

const MAX_DELAY_MS = 2_147_483_647;

function invalid(path: string, message: string): KmValidationError {
  return new KmValidationError('invalid_option', path, message);
}

function checkStatus(status: unknown, path: string): void {
  if (!Number.isInteger(status) || (status as number) < 200 || (status as number) > 599) {
    throw invalid(path, `${path} is ${String(status)}: a fault status must be an integer 200-599`);
  }
}

function checkFault(fault: unknown, path: string): asserts fault is Fault {
  if (fault === 'ok' || fault === 'network-error') return;
  if (typeof fault === 'number') return checkStatus(fault, path);
  if (typeof fault === 'object' && fault !== null) {
    if ('delayMs' in fault) {
      const ms = (fault as { delayMs: unknown }).delayMs;
      if (typeof ms !== 'number' || !(ms >= 0 && ms <= MAX_DELAY_MS)) {
        throw invalid(`${path}.delayMs`, `${path}.delayMs must be a number of ms >= 0`);
      }
      return;
    }
    if ('status' in fault) {
      checkStatus((fault as { status: unknown }).status, `${path}.status`);
      const retryAfter = (fault as { retryAfter?: unknown }).retryAfter;
      const valid =
        retryAfter === undefined ||
        (typeof retryAfter === 'string' && retryAfter !== '') ||
        (typeof retryAfter === 'number' && Number.isInteger(retryAfter) && retryAfter >= 0) ||
        (retryAfter instanceof Date && !Number.isNaN(retryAfter.getTime()));
      if (!valid) {
        throw invalid(
          `${path}.retryAfter`,
          `${path}.retryAfter must be seconds ('2' or 2) or a valid Date`,
        );
      }
      return;
    }
  }
  throw invalid(
    path,
    `${path} is not a fault: use a status, { status, retryAfter }, 'network-error', { delayMs } or 'ok'`,
  );
}

function checkPlan(plan: FaultPlan, path: string): void {
  if (typeof plan !== 'object' || plan === null) {
    throw invalid(path, `${path} must be a plan: { rate?, failWith?, answers? }`);
  }
  if (
    plan.rate !== undefined &&
    !(typeof plan.rate === 'number' && plan.rate >= 0 && plan.rate <= 1)
  ) {
    throw invalid(`${path}.rate`, `${path}.rate is ${String(plan.rate)}: use a probability 0-1`);
  }
  if (plan.failWith !== undefined) checkFault(plan.failWith, `${path}.failWith`);
  if (plan.answers !== undefined) {
    if (!Array.isArray(plan.answers)) {
      throw invalid(`${path}.answers`, `${path}.answers must be an array of faults`);
    }
    for (const [index, fault] of plan.answers.entries()) {
      checkFault(fault, `${path}.answers[${index}]`);
    }
  }
}

function kindOf(fault: Exclude<Fault, 'ok'>): FaultKind {
  if (fault === 'network-error') return 'network-error';
  if (typeof fault === 'number') return `${fault}`;
  return 'delayMs' in fault ? 'delay' : `${fault.status}`;
}

function faultResponse(
  fault: number | { status: number; retryAfter?: string | number | Date; body?: string },
  cors: boolean,
): Response {
  const spec = typeof fault === 'number' ? { status: fault } : fault;
  const headers = new Headers({ 'cache-control': 'no-store' });
  if (cors) headers.set('access-control-allow-origin', '*');
  if (spec.retryAfter !== undefined) {
    headers.set(
      'retry-after',
      spec.retryAfter instanceof Date ? spec.retryAfter.toUTCString() : String(spec.retryAfter),
    );
  }
  return new HttpResponse(spec.body ?? null, { status: spec.status, headers });
}

/**
 * Creates the fault injection shared by the emulators: per-route plans of scripted answers and
 * seeded random failures, and counters of what was injected.
 */
export function createFaultInjector<Route extends string>(
  options: FaultInjectorOptions<Route>,
): FaultInjector<Route> {
  const seed = options.seed ?? 1;
  const known = new Set<string>([...options.routes, '*']);
  const active = new Map<Route | '*', ActivePlan>();
  const injected = new Map<Route, Map<FaultKind, number>>();
  const calls = new Map<Route, number>();

  const checkRoute = (route: string, path: string) => {
    if (!known.has(route)) {
      throw invalid(path, `unknown route "${route}": use one of ${[...known].join(', ')}`);
    }
  };

  const set = (route: Route | '*', plan: FaultPlan) => {
    checkRoute(route, 'route');
    checkPlan(plan, `faults.${route}`);
    active.set(route, { plan, calls: 0 });
  };

  const loadInitialPlans = () => {
    active.clear();
    for (const [route, plan] of Object.entries(options.plans ?? {})) {
      if (plan !== undefined) set(route as Route | '*', plan as FaultPlan);
    }
  };
  loadInitialPlans();

  const draw = (route: Route): Fault | undefined => {
    const stream: Route | '*' = active.has(route) ? route : '*';
    const current = active.get(stream);
    if (!current) return undefined;
    current.calls += 1;
    const scripted = current.plan.answers?.[current.calls - 1];
    if (scripted !== undefined) return scripted;
    const rate = current.plan.rate ?? 0;
    if (rate > 0 && chance(seed, stream, current.calls) < rate) return current.plan.failWith ?? 503;
    return undefined;
  };

  const count = (route: Route, kind: FaultKind) => {
    let kinds = injected.get(route);
    if (!kinds) {
      kinds = new Map();
      injected.set(route, kinds);
    }
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  };

  return {
    set,
    clear(route) {
      if (route === undefined) active.clear();
      else {
        checkRoute(route, 'route');
        active.delete(route);
      }
    },
    counts() {
      const result: Partial<Record<Route, Partial<Record<FaultKind, number>>>> = {};
      for (const [route, kinds] of injected) result[route] = Object.fromEntries(kinds);
      return result as FaultCounts<Route>;
    },
    calls: (route) => calls.get(route) ?? 0,
    async answer(route, respond) {
      calls.set(route, (calls.get(route) ?? 0) + 1);
      const fault = draw(route);
      if (fault === undefined || fault === 'ok') return respond();
      count(route, kindOf(fault));
      if (fault === 'network-error') return HttpResponse.error();
      if (typeof fault === 'object' && 'delayMs' in fault) {
        await delay(fault.delayMs);
        return respond();
      }
      return faultResponse(fault, options.cors);
    },
    reset() {
      loadInitialPlans();
      injected.clear();
      calls.clear();
    },
  };
}
