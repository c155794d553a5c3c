// Bundles a TypeScript entry for plain Node the way the published packages are built: workspace
// packages (@kmkit/*) from source, every other package left to Node. Benchmarks run these bundles,
// because running sources through a loader (tsx) adds per-closure helpers the published builds lack.
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

// The bundle goes under the entry's package (node_modules/.cache), so Node resolves the external
// dependencies from that package's own node_modules.
function packageDir(file) {
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${file}`);
    dir = parent;
  }
  return dir;
}

/** Bundles `entry` into its package's `node_modules/.cache/kmkit-bundled/` and returns the path. */
export async function bundleForNode(entry) {
  const outdir = join(packageDir(resolve(entry)), 'node_modules', '.cache', 'kmkit-bundled');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, `${basename(entry).replace(/\.[mc]?ts$/, '')}.mjs`);
  await build({
    entryPoints: [resolve(entry)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node18',
    conditions: ['@kmkit/source'],
    logLevel: 'warning',
    // ESM output still meets CommonJS dependencies that call require().
    banner: {
      js: "import { createRequire as __kmkitRequire } from 'node:module'; const require = __kmkitRequire(import.meta.url);",
    },
    plugins: [
      {
        name: 'external-dependencies',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@kmkit/') ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
  return outfile;
}
