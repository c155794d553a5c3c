import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { JsonReport } from '../report/index.js';

const BIN = fileURLToPath(new URL('../../bin/playground.mjs', import.meta.url));

/** Runs bin/playground.mjs as `pnpm playground` does (pnpm adds nothing to its output). */
function runBin(args: readonly string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('bin/playground.mjs, the `playground` bin', () => {
  it('runs one flow from source and prints only the JSON report on stdout with --json', async () => {
    const { code, stdout, stderr } = await runBin(['ecommerce', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.flows.map((flow) => [flow.name, flow.ok])).toEqual([['ecommerce', true]]);
    expect(stderr).toContain('playground: running ecommerce');
  }, 60_000);

  it('passes the exit code on: 2 for an unknown flow', async () => {
    const { code, stdout, stderr } = await runBin(['no-such-flow']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('no flow "no-such-flow"');
  }, 60_000);
});
