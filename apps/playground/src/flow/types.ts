import type { Exchange, MockNetwork } from '../network/index.js';

export type { Exchange } from '../network/index.js';

/** One check of a flow: a sentence about what must hold, and whether it did. */
export interface Check {
  readonly description: string;
  readonly ok: boolean;
  /** What was seen instead, when it failed. */
  readonly detail?: string;
}

/** A Kissmetrics event on a person's timeline, with its time as ISO 8601 UTC. */
export interface TimelineEvent {
  readonly name: string;
  readonly time: string;
  readonly properties: Readonly<Record<string, string>>;
}

/** A Kissmetrics person as the emulator shows it: identities, timeline and latest properties. */
export interface Person {
  readonly identities: readonly string[];
  readonly events: readonly TimelineEvent[];
  readonly properties: Readonly<Record<string, string>>;
}

/** A tracking request the Kissmetrics emulator received, decoded as the server reads it. */
export interface TrackingRequestView {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  /** `accepted`, `duplicate` (counted once by Kissmetrics' duplicate key) or `rejected`. */
  readonly status: string;
  readonly reason?: string;
  readonly url: string;
}

/** An error a call threw, as a user would catch it. */
export interface CallError {
  readonly name: string;
  readonly code?: string;
  readonly path?: string;
  readonly message: string;
}

/** A warning a call returned (and emitted): what the mapping changed or left out. */
export interface CallWarning {
  readonly code: string;
  readonly path: string;
  readonly message: string;
}

/** A call a flow made, as code, and what it gave back. */
export interface Call {
  readonly call: string;
  /** One line on what it returned or did, e.g. `queued 2 requests` or `outcome: aliased`. */
  readonly result?: string;
  readonly error?: CallError;
  readonly warnings?: readonly CallWarning[];
}

/** A small table, e.g. the same call through three presets side by side. */
export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** A labelled fact, e.g. `faults injected: 503 x12, reset x9`. */
export interface Fact {
  readonly label: string;
  readonly value: string;
}

/**
 * One part of a flow, with its own emulators: what it called, what went on the wire, and what
 * Kissmetrics would then show.
 */
export interface FlowSection {
  readonly title: string;
  /** How this part runs, in a sentence (which client, which transport). */
  readonly about?: string;
  readonly calls: readonly Call[];
  /** `_kmq` commands (device mode), in push order. */
  readonly kmq?: readonly unknown[];
  /** Requests the Kissmetrics emulator received, in arrival order. */
  readonly requests?: readonly TrackingRequestView[];
  /** Other HTTP exchanges (Tapstream, postbacks), in order. */
  readonly exchanges?: readonly Exchange[];
  readonly table?: Table;
  readonly facts?: readonly Fact[];
  /** The Kissmetrics people after this part. */
  readonly people: readonly Person[];
}

/** What a flow produced: `ok` is true when every check held and nothing threw. */
export interface FlowResult {
  readonly name: string;
  readonly title: string;
  readonly ok: boolean;
  readonly sections: readonly FlowSection[];
  /** The Kissmetrics people the flow ends with (each section's, when they have their own). */
  readonly people: readonly Person[];
  readonly checks: readonly Check[];
  /** What the flow threw, when it did not finish. */
  readonly error?: string;
}

/** What a flow's `run` returns; the runner adds the name, the title and `ok`. */
export interface FlowOutcome {
  readonly sections: readonly FlowSection[];
  readonly checks: readonly Check[];
  /**
   * The Kissmetrics people the flow ends with. Default: every section's people, for flows whose
   * sections each have their own emulator.
   */
  readonly people?: readonly Person[];
}

/** What every flow gets from the runner. */
export interface FlowContext {
  /** msw/node: the handlers that answer this flow's `fetch` calls. */
  readonly network: MockNetwork;
  /** Where the flow's clock starts (ms since the epoch), the same on every run. */
  readonly start: number;
  /** A fresh directory of the flow's own (spools, import files), removed after it. */
  readonly workDir: string;
  /** Progress for the terminal, written to stderr. */
  log(message: string): void;
}

/** A playground flow: a module under `src/flows/`. */
export interface Flow {
  /** The name to run it by (`pnpm playground <name>`). */
  readonly name: string;
  readonly title: string;
  run(context: FlowContext): Promise<FlowOutcome>;
}
