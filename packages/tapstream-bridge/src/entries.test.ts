import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';

// The main entry goes into web pages and apps: it must not pull Node built-ins or undici (which
// only the ./server entry's @kmkit/node needs), and ./server must not resolve in a browser build.
const packageDir = fileURLToPath(new URL('..', import.meta.url));

async function bundle(contents: string, platform: 'browser' | 'node') {
  const result = await build({
    stdin: { contents, resolveDir: packageDir, loader: 'ts' },
    // Metafile paths are relative to this, whatever directory the tests run from.
    absWorkingDir: packageDir,
    bundle: true,
    write: false,
    format: 'esm',
    platform,
    target: 'es2020',
    minify: true,
    conditions: ['@kmkit/source'],
    logLevel: 'silent',
    metafile: true,
  });
  const text = result.outputFiles[0]!.text;
  return { text, inputs: Object.keys(result.metafile.inputs), gzip: gzipSync(text).length };
}

describe('entries', () => {
  test('a browser bundle of the main entry has no node: import and no undici', async () => {
    const { text, inputs } = await bundle("export * from '@kmkit/tapstream-bridge';", 'browser');
    expect(text).not.toMatch(/["']node:/);
    expect(text).not.toMatch(/undici/);
    // Metafile paths are relative to this package: its own sources, and core's.
    expect(inputs.filter((input) => /^\.\.\/node\/|undici|node_modules/.test(input))).toEqual([]);
    expect(inputs).toContain('src/website/install-tapstream-bridge.ts');
  });

  test('a page that only installs the bridge gets a few kilobytes', async () => {
    const { gzip } = await bundle(
      "import { installTapstreamBridge } from '@kmkit/tapstream-bridge'; installTapstreamBridge({ accountName: 'acme' });",
      'browser',
    );
    expect(gzip).toBeLessThan(3 * 1024);
  });

  test('@kmkit/tapstream-bridge/server cannot be resolved by a browser build', async () => {
    const failure = await bundle("import '@kmkit/tapstream-bridge/server';", 'browser').catch(
      (error: { errors?: { text: string }[] }) => error,
    );
    expect(failure).toHaveProperty('errors');
    expect((failure as { errors: { text: string }[] }).errors[0]?.text).toMatch(
      /Could not resolve "@kmkit\/tapstream-bridge\/server"/,
    );
  });

  test('@kmkit/tapstream-bridge/server resolves for Node', async () => {
    const { inputs } = await bundle(
      "export { createTapstreamForwarder } from '@kmkit/tapstream-bridge/server';",
      'node',
    );
    expect(inputs).toContain('src/forwarder/create-tapstream-forwarder.ts');
    expect(inputs.some((input) => input.startsWith('../node/src/'))).toBe(true);
  });
});
