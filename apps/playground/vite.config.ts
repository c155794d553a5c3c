import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);

/**
 * The page also plays two servers: the one Tapstream posts back to (`@kmkit/tapstream-bridge/server`)
 * and the site's first-party relay (`@kmkit/node/relay`). Their `exports` give browsers nothing (or
 * Node's build, with undici and the file spool); edge runtimes get a fetch-only build through the
 * `workerd` condition, and so does this page: each import below resolves to the source of the file
 * the package's `workerd` condition names (`@kmkit/node` itself to `@kmkit/node/edge`'s client).
 */
const EDGE_IMPORTS = new Set([
  '@kmkit/tapstream-bridge/server',
  '@kmkit/node',
  '@kmkit/node/relay',
]);

/** `@kmkit/node/relay` → the package `@kmkit/node` and its export `./relay`. */
function splitSpecifier(specifier: string): [name: string, subpath: string] {
  const [scope, name, ...rest] = specifier.split('/');
  return [`${scope}/${name}`, rest.length === 0 ? '.' : `./${rest.join('/')}`];
}

/**
 * The source file of what an export gives the `workerd` condition: tsup builds `src/<entry>.ts`
 * to `dist/<entry>.js`, so the built file's path names its source.
 */
function edgeSource(specifier: string): string {
  const [name, subpath] = splitSpecifier(specifier);
  const manifestPath = require.resolve(`${name}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports: Record<string, Record<string, { default?: unknown }>>;
  };
  const built = manifest.exports[subpath]?.workerd?.default;
  const source =
    typeof built === 'string' ? built.replace(/^\.\/dist\/(.+)\.js$/, './src/$1.ts') : undefined;
  const file = source && resolve(dirname(manifestPath), source);
  if (!file || file.endsWith('.js') || !existsSync(file)) {
    throw new Error(`${specifier}: no source for its workerd build (${String(built)})`);
  }
  return file;
}

function edgeEntries(): Plugin {
  return {
    name: 'kmkit-edge-entries',
    enforce: 'pre',
    resolveId(source) {
      return EDGE_IMPORTS.has(source) ? edgeSource(source) : null;
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
