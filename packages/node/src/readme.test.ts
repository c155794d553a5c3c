import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

// The README's examples are the contract with users: they must run as printed. The package's
// sources stand in for the published entry.
const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');
const require = createRequire(import.meta.url);
const tsx = pathToFileURL(require.resolve('tsx')).href;
const sourceEntry = pathToFileURL(join(here, 'index.ts')).href;
const emulator = pathToFileURL(join(packageDir, 'test/fixtures/readme-emulator.ts')).href;

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};

/** The first ```ts block after `heading` (the top of the README when it is empty). */
function example(heading: string): string {
  const from = heading === '' ? 0 : readme.indexOf(`\n${heading}\n`);
  expect(from).toBeGreaterThanOrEqual(0);
  const start = readme.indexOf('```ts\n', from) + '```ts\n'.length;
  return readme.slice(start, readme.indexOf('```', start));
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Runs the first example (track.mjs) with Kissmetrics emulated in its process. */
async function runFirstExample(faults: object = {}) {
  const source = example('');
  expect(source).toContain("from '@kmkit/node'");
  const dir = tempDir('kmkit-node-readme-');
  writeFileSync(join(dir, 'track.mjs'), source.replace("'@kmkit/node'", `'${sourceEntry}'`));
  const args = ['--conditions=@kmkit/source', '--import', tsx, '--import', emulator, 'track.mjs'];
  return {
    source,
    ...(await run(process.execPath, args, dir, { KM_FAULTS: JSON.stringify(faults) })),
  };
}

// Child processes (and a whole vitest run) on a machine shared by many: generous deadlines.
describe('README', { timeout: 60_000 }, () => {
  test('the first example delivers every request and prints what its comment says', async () => {
    const { source, code, output } = await runFirstExample();
    expect(code).toBe(0);
    const promised = /console\.log\(await km\.close\(\)\); \/\/ (.+)\n/.exec(source)?.[1];
    expect(promised).toBeDefined();
    const lines = output.trim().split('\n');
    expect(lines[0]).toBe(promised);
    const recorded = JSON.parse(lines[1]!.replace(/^emulator: /, ''));
    expect(recorded.rejected).toEqual([]);
    expect(recorded.people).toEqual([
      {
        identities: ['bob@example.com', 'visitor-42'],
        events: [
          { name: 'Signed Up', time: expect.any(Number), properties: { plan: 'pro' } },
          { name: 'Viewed Pricing page', time: expect.any(Number), properties: {} },
        ],
        properties: { plan: 'pro' },
      },
    ]);
  });

  test('the first example says why a send failed: its retry listener prints the cause', async () => {
    const { code, output } = await runFirstExample({ e: { answers: ['network-error'] } });
    expect(code).toBe(0);
    expect(output).toMatch(/^retry 1 \(network\): TypeError: Failed to fetch$/m);
    expect(output).toContain(
      '{ delivered: 4, failed: 0, dropped: 0, remaining: 0, persisted: false }',
    );
  });

  test("the Testing section's example passes under vitest, in a project of its own", async () => {
    const source = example('## Testing');
    expect(source).toContain("from '@kmkit/node'");
    const dir = tempDir('kmkit-node-testing-');
    // A user's project: the packages it installs, linked to this repository's.
    const modules = join(dir, 'node_modules');
    mkdirSync(join(modules, '@kmkit'), { recursive: true });
    const installed = (name: string, from: string) =>
      realpathSync(dirname(createRequire(from).resolve(`${name}/package.json`)));
    symlinkSync(packageDir, join(modules, '@kmkit/node'), 'dir');
    symlinkSync(installed('@kmkit/msw', import.meta.url), join(modules, '@kmkit/msw'), 'dir');
    symlinkSync(installed('msw', import.meta.url), join(modules, 'msw'), 'dir');
    const vitestDir = installed('vitest', join(packageDir, '../../package.json'));
    symlinkSync(vitestDir, join(modules, 'vitest'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
    writeFileSync(join(dir, 'signup.test.ts'), source);
    writeFileSync(
      join(dir, 'vitest.config.mjs'),
      "export default { resolve: { conditions: ['@kmkit/source'] }, ssr: { resolve: { conditions: ['@kmkit/source'] } } };",
    );
    const { code, output } = await run(
      process.execPath,
      [join(vitestDir, 'vitest.mjs'), 'run', '--reporter=verbose'],
      dir,
      { CI: '', FORCE_COLOR: '0', NO_COLOR: '1' },
    );
    expect(output).toContain('records the signup on bob');
    expect(output).toMatch(/Tests\s+1 passed/);
    expect(code).toBe(0);
  });
});
