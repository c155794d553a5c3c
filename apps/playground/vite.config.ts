import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);

/**
 * The page also plays the server that receives Tapstream's postbacks, so it bundles
 * `@kmkit/tapstream-bridge/server`, whose `exports` refuse browsers (`"browser": null`) because
 * on Node it brings undici and the file spool. Here it gets what edge runtimes get: the same
 * forwarder on `@kmkit/node/edge`, the fetch-only client. Both are read from the packages' own
 * `exports` (their `@kmkit/source` entries), as the workerd / edge-light conditions do for builds.
 */
const EDGE_ENTRIES: Record<string, readonly [string, string]> = {
  '@kmkit/tapstream-bridge/server': ['@kmkit/tapstream-bridge', './server'],
  '@kmkit/node': ['@kmkit/node', './edge'],
};

function sourceEntry(name: string, subpath: string): string {
  const manifestPath = require.resolve(`${name}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports: Record<string, Record<string, unknown>>;
  };
  const target = manifest.exports[subpath]?.['@kmkit/source'];
  if (typeof target !== 'string')
    throw new Error(`${name} has no @kmkit/source entry for ${subpath}`);
  return resolve(dirname(manifestPath), target);
}

function edgeEntries(): Plugin {
  return {
    name: 'kmkit-edge-entries',
    enforce: 'pre',
    resolveId(source) {
      const entry = EDGE_ENTRIES[source];
      return entry ? sourceEntry(...entry) : null;
    },
  };
}

export default defineConfig({
  plugins: [edgeEntries()],
  // Workspace packages from source, as everywhere in the repository: no build needed.
  resolve: { conditions: ['@kmkit/source', ...defaultClientConditions] },
  // msw and both emulators are most of the bundle: a local tool, where size does not matter.
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { host: 'localhost' },
  preview: { host: 'localhost' },
});
