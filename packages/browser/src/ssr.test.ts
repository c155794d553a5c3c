import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Server-side rendering: a framework's server imports the page's code, so both entries must load
// and work in plain Node, ESM and CommonJS. Each entry is compiled as the package build compiles
// it (ESM and CJS, workspace packages from source), then run by `scripts/ssr-smoke.mjs` in a
// child process, which has no window, no document and no test environment. CI runs the same
// script on the published `dist/` files (`check:package`).

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kmkit-ssr-'));
  for (const [name, entry] of [
    ['index', 'src/index.ts'],
    ['device', 'src/device/index.ts'],
  ]) {
    for (const [format, extension] of [
      ['esm', 'mjs'],
      ['cjs', 'cjs'],
    ] as const) {
      await build({
        entryPoints: [join(root, entry!)],
        outfile: join(dir, `${name}.${extension}`),
        bundle: true,
        format,
        platform: 'node',
        target: 'node20',
        conditions: ['@kmkit/source'],
        logLevel: 'silent',
      });
    }
  }
}, 30_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

async function smoke(files: string[]) {
  const { stdout } = await run(
    process.execPath,
    [join(root, 'scripts/ssr-smoke.mjs'), ...files.map((file) => join(dir, file))],
    // A timer left behind would keep the child alive past this.
    { timeout: 15_000 },
  );
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('on a server (plain Node, no document)', () => {
  it('both entries import as ESM and CommonJS without touching a global', async () => {
    const results = await smoke(['index.mjs', 'index.cjs', 'device.mjs', 'device.cjs']);
    expect(results).toEqual(
      ['index.mjs', 'index.cjs', 'device.mjs', 'device.cjs'].map((file) => ({
        file: join(dir, file),
        loaded: true,
        calls: true,
        globalsAdded: [],
        sent: 0,
      })),
    );
  }, 30_000);

  it('the smoke check fails where the old module-level `window` read would have thrown', async () => {
    // The check itself is worth something only if it can fail: a build that reads `window` at
    // module load, as @kmkit/browser did, is reported.
    const broken = join(dir, 'broken.mjs');
    await build({
      stdin: {
        contents: 'export const kmWindow = window; export const createKissmetrics = () => ({});',
      },
      outfile: broken,
      format: 'esm',
      logLevel: 'silent',
    });
    const failure = await smoke(['broken.mjs']).catch(
      (error: { stdout: string; code: number }) => ({
        code: error.code,
        result: JSON.parse(error.stdout),
      }),
    );
    expect(failure).toEqual({
      code: 1,
      result: expect.objectContaining({
        loaded: false,
        error: expect.stringContaining('window is not defined'),
      }),
    });
  }, 30_000);
});
