// Runs a TypeScript script as the code users get: bundled by esbuild (what tsup does) and executed
// by plain Node. Benchmarks use it, because running sources through a loader (tsx) adds per-closure
// helpers and getters that the published bundles do not have.
//   node scripts/run-bundled.mjs <entry.ts> [args...]
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const [entry, ...args] = process.argv.slice(2);
if (!entry) throw new Error('usage: node scripts/run-bundled.mjs <entry.ts> [args...]');
const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, '.tmp', 'bundled');
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
  packages: 'external',
  // Workspace packages are bundled from source, like the published builds inline nothing else.
  alias: {},
  logLevel: 'warning',
});
const result = spawnSync(process.execPath, [outfile, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
