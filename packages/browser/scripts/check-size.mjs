// The size budget: what a user's bundler ships for `@kmkit/browser` (the whole client) and for
// `@kmkit/browser/device`, bundled with esbuild for the browser, minified and gzipped (level 9, as
// size-limit measures). Fails over the ceilings (today's sizes: any growth fails CI) and prints the
// issue's 6 KB / 2.5 KB targets, which are not met yet; also fails when a Node built-in or, in the device entry,
// the delivery engine is reachable. `--source` measures the sources instead of the built `dist/`.
//
// It also prints this package's share, two ways: its own code bundled alone (`@kmkit/core` left
// external), and what it adds to the bundle (the whole bundle minus one of only the `@kmkit/core`
// exports it imports), which is what a user pays for it next to core.
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
    target: 6 * 1024,
    ceiling: 16.5 * 1024,
  },
  {
    name: '@kmkit/browser/device',
    code: `import { createKissmetrics } from '@kmkit/browser/device';\nwindow.km = createKissmetrics({ apiKey: 'key' });`,
    target: 2.5 * 1024,
    ceiling: 9.8 * 1024,
    // The delivery engine, by its path in the sources and by a drop reason only it names.
    forbidden: /delivery\/queue\./,
    forbiddenCode: 'unsent_at_close',
  },
];

if (!fromSource && !existsSync(join(root, 'dist/index.js'))) {
  console.error('dist/ is missing: run `pnpm build` first (or pass --source to measure src/).');
  process.exit(1);
}

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
const gzip = (code) => gzipSync(code, { level: 9 }).length;
let failed = false;

function bundle(code, external = []) {
  return build({
    stdin: { contents: code, resolveDir: root, loader: 'js' },
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
  const result = await bundle(entry.code).catch((error) => {
    // A Node built-in does not resolve for the browser platform: that is a failure too.
    console.error(`${entry.name}: does not bundle for the browser\n${error.message}`);
    process.exit(1);
  });
  const code = result.outputFiles[0].contents;
  const total = gzip(code);
  if (entry.forbiddenCode && result.outputFiles[0].text.includes(entry.forbiddenCode)) {
    console.error(`  ${entry.name} holds the delivery engine ("${entry.forbiddenCode}")`);
    failed = true;
  }
  // The issue's budget (target) is not met yet: core's full mapping alone is over it. The
  // ceiling is what ships today, so CI fails on any growth while the gap is being closed.
  const over = total > entry.ceiling;
  failed ||= over;
  console.log(
    `${over ? 'FAIL' : 'ok  '} ${entry.name}: ${kb(total)} min+gzip (ceiling ${kb(entry.ceiling)}; issue target ${kb(entry.target)}: ${total <= entry.target ? 'met' : `NOT met, ${kb(total - entry.target)} over`}), ${kb(code.length)} min, ${kb(brotliCompressSync(code).length)} brotli`,
  );
  const own = (await bundle(entry.code, ['@kmkit/core', '@kmkit/core/internal'])).outputFiles[0]
    .text;
  const imported = [
    ...new Set(
      [...own.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@kmkit\/core"/g)].flatMap((match) =>
        match[1].split(',').map((name) => name.trim().split(/\s+as\s+/)[0]),
      ),
    ),
  ];
  const core = await bundle(
    `import { ${imported.join(', ')} } from '@kmkit/core';\nwindow.core = [${imported.join(', ')}];`,
  );
  const coreSize = gzip(core.outputFiles[0].contents);
  console.log(`     @kmkit/core alone (what this entry imports of it): ${kb(coreSize)} min+gzip`);
  console.log(
    `     @kmkit/browser adds ${kb(total - coreSize)} min+gzip to it; bundled alone, its own code is ${kb(gzip(own))} (${kb(own.length)} min)`,
  );
  // Where the minified bytes come from, so whoever slims it knows where to look.
  const groups = new Map();
  for (const [path, input] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
    if (input.bytesInOutput === 0 || path === '<stdin>') continue;
    const file = relative(root, join(process.cwd(), path)).replaceAll('\\', '/');
    const group = !file.startsWith('../core/')
      ? `@kmkit/browser ${file.split('/')[1] ?? ''}`
      : `@kmkit/core ${file.startsWith('../core/src/') ? file.split('/')[3] : '(dist)'}`;
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
    console.log(`     ${group.padEnd(28)} ${kb(bytes)} min`);
  }
}
process.exit(failed ? 1 : 0);
