import { type Flow, type FlowResult, runFlow } from '../flow/index.js';
import { FLOWS } from '../flows/index.js';
import { createMockNetwork } from '../network/index.js';
import { renderFlowText, renderJson, renderSummaryText } from '../report/index.js';
import { parseArguments } from './parse-arguments.js';

/** Where the CLI writes. */
export interface CliOutput {
  /** The report: text, or the one JSON document. */
  stdout(text: string): void;
  /** Progress, usage errors and anything libraries log. */
  stderr(text: string): void;
  /** Use terminal colours in text output. */
  readonly color: boolean;
}

/** Where every flow's clock starts: the same on every run, so the output is too. */
export const FLOW_START = Date.UTC(2024, 4, 1, 12, 0, 0);

function usage(flows: readonly Flow[]): string {
  return `Usage: pnpm playground [flow ...] [--json]

Runs kmkit's flows against emulated Kissmetrics and Tapstream (nothing leaves the machine) and
prints what each call sends and what Kissmetrics would then show. Exits 1 when a check fails.

  flow      run only these flows, by name or number (default: all)
  --json    print one JSON report { ok, flows: [...] } and nothing else on stdout
  --list    list the flows
  --help    this text

Flows:
${flows.map((flow, index) => `  ${index + 1}. ${flow.name.padEnd(22)} ${flow.title}`).join('\n')}
`;
}

/**
 * Runs the playground CLI; resolves with the exit code (0 ok, 1 a check failed, 2 bad usage).
 * `flows` defaults to the eight flows of `src/flows`.
 */
export async function runCli(
  args: readonly string[],
  output: CliOutput,
  flows: readonly Flow[] = FLOWS,
): Promise<number> {
  const request = parseArguments(args, flows);
  if (request.kind === 'help') {
    output.stdout(usage(flows));
    return 0;
  }
  if (request.kind === 'list') {
    output.stdout(`${flows.map((flow) => flow.name).join('\n')}\n`);
    return 0;
  }
  if (request.kind === 'usage-error') {
    output.stderr(`playground: ${request.message}\n`);
    return 2;
  }
  const network = createMockNetwork();
  const results: FlowResult[] = [];
  try {
    for (const [index, flow] of request.flows.entries()) {
      output.stderr(`playground: running ${flow.name}…\n`);
      const result = await runFlow(flow, {
        network,
        start: FLOW_START,
        log: (message) => output.stderr(`playground: ${flow.name}: ${message}\n`),
      });
      results.push(result);
      if (!request.json) {
        output.stdout(renderFlowText(result, flows.indexOf(flow) + 1 || index + 1, output));
      }
    }
  } finally {
    network.close();
  }
  output.stdout(request.json ? renderJson(results) : renderSummaryText(results, output));
  return results.every((result) => result.ok) ? 0 : 1;
}
