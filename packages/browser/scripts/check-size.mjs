// The size budget: what a user's bundler ships for `@kmkit/browser` (the whole client) and for
// `@kmkit/browser/device`, bundled with esbuild for the browser, minified and gzipped (level 9, as
// size-limit measures). Fails over 6 KB / 2.5 KB, and when a Node built-in or, in the device entry,
// the delivery engine is reachable. `--source` measures the sources instead of the built `dist/`.
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fromSource = process.argv.includes('--source');

const entries = [
  {
    name: '@kmkit/browser (whole client)',
    code: `import { createKissmetrics } from '@kmkit/browser';\nwindow.km = createKissmetrics({ apiKey: 'key', mode: 'cloud' });`,
    budget: 6 * 1024,
  },
  {
    name: '@kmkit/browser/device',
    code: `import { createKissmetrics } from '@kmkit/browser/device';\nwindow.km = createKissmetrics({ apiKey: 'key' });`,
    budget: 2.5 * 1024,
    forbidden: /delivery\/queue\./,
  },
];

if (!fromSource && !existsSync(join(root, 'dist/index.js'))) {
  console.error('dist/ is missing: run `pnpm build` first (or pass --source to measure src/).');
  process.exit(1);
}

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
let failed = false;

function bundle(entry, external = []) {
  return build({
    stdin: { contents: entry.code, resolveDir: root, loader: 'js' },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    metafile: true,
    external,
    conditions: fromSource ? ['@kmkit/source'] : [],
    logLevel: 'silent',
  });
}

for (const entry of entries) {
  const result = await bundle(entry).catch((error) => {
    // A Node built-in does not resolve for the browser platform: that is a failure too.
    console.error(`${entry.name}: does not bundle for the browser\n${error.message}`);
    process.exit(1);
  });
  const code = result.outputFiles[0].contents;
  const gzip = gzipSync(code, { level: 9 }).length;
  const brotli = brotliCompressSync(code).length;
  const own = (await bundle(entry, ['@kmkit/core'])).outputFiles[0].contents;
  const over = gzip > entry.budget;
  failed ||= over;
  console.log(
    `${over ? 'FAIL' : 'ok  '} ${entry.name}: ${kb(gzip)} min+gzip (budget ${kb(entry.budget)}), ${kb(code.length)} min, ${kb(brotli)} brotli`,
  );
  console.log(
    `     of which @kmkit/browser's own code: ${kb(gzipSync(own, { level: 9 }).length)} min+gzip`,
  );
  // Where the bytes come from, so whoever slims it knows where to look.
  const groups = new Map();
  for (const [path, input] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
    if (input.bytesInOutput === 0) continue;
    const file = relative(root, join(root, path)).replaceAll('\\', '/');
    const group = !file.startsWith('../core/')
      ? '@kmkit/browser'
      : file.startsWith('../core/src/')
        ? `@kmkit/core ${file.split('/')[3]}`
        : '@kmkit/core (dist)';
    groups.set(group, (groups.get(group) ?? 0) + input.bytesInOutput);
    if (/^node:/.test(path)) {
      console.error(`  a Node built-in is reachable: ${path}`);
      failed = true;
    }
    if (entry.forbidden?.test(path)) {
      console.error(`  must not be in this entry: ${path}`);
      failed = true;
    }
  }
  for (const [group, bytes] of [...groups].sort((a, b) => b[1] - a[1])) {
    console.log(`     ${group.padEnd(24)} ${kb(bytes)} min`);
  }
}
process.exit(failed ? 1 : 0);
