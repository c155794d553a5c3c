import type { Flow } from '../flow/types.js';

/** What the command line asked for. */
export type CliRequest =
  | { readonly kind: 'run'; readonly flows: readonly Flow[]; readonly json: boolean }
  | { readonly kind: 'help' }
  | { readonly kind: 'list' }
  | { readonly kind: 'usage-error'; readonly message: string };

/**
 * Reads `playground [flow...] [--json] [--list] [--help]`: flows by name or number, every flow when
 * none is named.
 */
export function parseArguments(args: readonly string[], flows: readonly Flow[]): CliRequest {
  const findFlow = (name: string) =>
    /^\d+$/.test(name) ? flows[Number(name) - 1] : flows.find((flow) => flow.name === name);
  let json = false;
  const chosen: Flow[] = [];
  for (const arg of args) {
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--list') return { kind: 'list' };
    if (arg === '--json') {
      json = true;
      continue;
    }
    if (arg.startsWith('-')) {
      return { kind: 'usage-error', message: `unknown option ${arg}: try --help` };
    }
    const flow = findFlow(arg);
    if (!flow) {
      return {
        kind: 'usage-error',
        message: `no flow "${arg}": pick one of ${flows.map((item) => item.name).join(', ')} (or its number)`,
      };
    }
    if (!chosen.includes(flow)) chosen.push(flow);
  }
  return { kind: 'run', flows: chosen.length > 0 ? chosen : flows, json };
}
