import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MockNetwork } from '../network/index.js';
import { check } from './checks.js';
import type { Check, Flow, FlowResult, FlowSection, Person } from './types.js';

/** What {@link runFlow} needs from the runner. */
export interface RunFlowOptions {
  readonly network: MockNetwork;
  /** Where every flow's clock starts. */
  readonly start: number;
  readonly log: (message: string) => void;
}

/**
 * Runs one flow in a fresh work directory and turns what it produced (or threw) into a result:
 * `ok` when every check held, nothing threw and no request went unanswered.
 */
export async function runFlow(flow: Flow, options: RunFlowOptions): Promise<FlowResult> {
  const { network } = options;
  const workDir = await mkdtemp(join(tmpdir(), `kmkit-playground-${flow.name}-`));
  network.clear();
  let sections: readonly FlowSection[] = [];
  let checks: readonly Check[] = [];
  let people: readonly Person[] | undefined;
  let error: string | undefined;
  try {
    ({ sections, checks, people } = await flow.run({
      network,
      start: options.start,
      workDir,
      log: options.log,
    }));
  } catch (thrown) {
    error = thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown);
  } finally {
    network.use();
    await rm(workDir, { recursive: true, force: true });
  }
  const unhandled = network.unhandled();
  const allChecks = [
    ...checks,
    check(
      'no request left the machine: an emulator answered every one',
      unhandled.length === 0,
      `unanswered: ${unhandled.join(', ')}`,
    ),
  ];
  return {
    name: flow.name,
    title: flow.title,
    ok: error === undefined && allChecks.every((item) => item.ok),
    sections,
    people: people ?? sections.flatMap((section) => section.people),
    checks: allChecks,
    ...(error === undefined ? {} : { error }),
  };
}
