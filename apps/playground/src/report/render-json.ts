import type { FlowResult } from '../flow/types.js';

/** The `--json` report: `{ ok, flows: [{ name, title, ok, people, sections, checks, error? }] }`. */
export interface JsonReport {
  /** True when every flow is ok. */
  readonly ok: boolean;
  readonly flows: readonly FlowResult[];
}

// A function pushed on _kmq has no JSON form: name it rather than let it become null.
const replacer = (_key: string, value: unknown) =>
  typeof value === 'function' ? '[function]' : value;

/** The whole run as one JSON document (the only thing `--json` writes to stdout). */
export function renderJson(results: readonly FlowResult[]): string {
  const report: JsonReport = { ok: results.every((result) => result.ok), flows: results };
  return `${JSON.stringify(report, replacer, 2)}\n`;
}
