// The size budget: what a user's production bundle ships for `@kmkit/browser` (the whole client,
// in cloud mode) and for `@kmkit/browser/device`, for an entry that creates a client and tracks
// one event: bundled with esbuild for the browser, `process.env.NODE_ENV` defined as
// "production" (as every framework's build does), minified and gzipped (level 9, as size-limit
// measures). Fails past the ceilings (the sizes reached, plus a small margin), when a development
// sentence is left in a production bundle, when a Node built-in is reachable, or when the device
// entry holds the delivery engine. Prints the issue's targets (6 KB / 2.5 KB) as met or NOT met,
// with what is over: it never says "met" for a target it misses. `--source` measures `src/`
// instead of the built `dist/`, with `DEV` folded as the package build folds it (so the figures
// are the production ones).
//
// It also prints where the bytes come from (minified bytes per folder), this package's share (the
// whole bundle minus one of only the `@kmkit/core` exports it imports), the pieces a reader asks
// about first (the delivery engine and the mappings, each bundled alone), and each entry without
// its largest piece (from `src/`): what is left is over the target by itself.
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { inlineDev } from '../../core/scripts/inline-dev.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fromSource = process.argv.includes('--source');

const entries = [
  {
    name: '@kmkit/browser (whole client, cloud mode)',
    code: `import { createKissmetrics } from '@kmkit/browser';\nconst km = createKissmetrics({ apiKey: 'key', mode: 'cloud' });\nkm.track('Signed Up', { plan: 'pro' });\nwindow.km = km;`,
    target: 6 * 1024,
    // Reached: 16.84 KB with consent (the delivery engine alone is 6.25 KB), plus 0.21 KB.
    ceiling: 17.05 * 1024,
    // What is left of it without the delivery engine (core's queue, stubbed).
    without: {
      what: "core's delivery engine",
      stubs: {
        'core/src/delivery/queue.ts':
          'export function createDeliveryQueue(options: unknown) { return options as never; }',
      },
    },
  },
  {
    name: '@kmkit/browser/device',
    code: `import { createKissmetrics } from '@kmkit/browser/device';\nconst km = createKissmetrics({ apiKey: 'key' });\nkm.track('Signed Up', { plan: 'pro' });\nwindow.km = km;`,
    target: 2.5 * 1024,
    // Reached: 6.96 KB with consent (the browser's mapping alone is 4.34 KB), plus 0.14 KB.
    ceiling: 7.1 * 1024,
    // The delivery engine, by its path in the sources and by a drop reason only it names.
    forbidden: /delivery\/queue\./,
    forbiddenCode: 'unsent_at_close',
    // What is left of it without the browser's mapping (stubbed: no commands, no warnings).
    without: {
      what: "the browser's mapping",
      stubs: {
        'browser/src/mapping/map-message.ts':
          'export function mapMessage(event: unknown) { return { event, commands: [], warnings: [] }; }',
      },
    },
  },
];

// Sentences of core's and this package's messages, which production builds must not carry.
const SENTENCES = [
  "Kissmetrics' limit",
  'control parameter',
  'pass userId',
  'did not load within',
  'did you mean',
  'has no HTTP form',
  'is not an absolute URL',
  'not whole Unix seconds',
];

if (!fromSource && !existsSync(join(root, 'dist/index.js'))) {
  console.error('dist/ is missing: run `pnpm build` first (or pass --source to measure src/).');
  process.exit(1);
}

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
const gzip = (code) => gzipSync(code, { level: 9 }).length;
let failed = false;

// Modules replaced by a stub (path suffix -> source), for the "without" figures.
const stubbing = (stubs) => ({
  name: 'kmkit-size-stubs',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, ({ path }) => {
      const suffix = Object.keys(stubs).find((each) => path.replaceAll('\\', '/').endsWith(each));
      return suffix === undefined ? undefined : { contents: stubs[suffix], loader: 'ts' };
    });
  },
});

function bundle(code, { external = [], source = fromSource, stubs } = {}) {
  return build({
    stdin: { contents: code, resolveDir: root, loader: 'js' },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    external,
    conditions: source ? ['@kmkit/source'] : [],
    // The sources fold `DEV` as the package build does; stubs go first.
    plugins: [...(stubs ? [stubbing(stubs)] : []), ...(source ? [inlineDev()] : [])],
    logLevel: 'silent',
  });
}

const sizeOf = async (code, options) => gzip((await bundle(code, options)).outputFiles[0].contents);

for (const entry of entries) {
  const result = await bundle(entry.code).catch((error) => {
    // A Node built-in does not resolve for the browser platform: that is a failure too.
    console.error(`${entry.name}: does not bundle for the browser\n${error.message}`);
    process.exit(1);
  });
  const code = result.outputFiles[0].contents;
  const text = result.outputFiles[0].text;
  const total = gzip(code);
  if (entry.forbiddenCode && text.includes(entry.forbiddenCode)) {
    console.error(`  ${entry.name} holds the delivery engine ("${entry.forbiddenCode}")`);
    failed = true;
  }
  for (const sentence of SENTENCES.filter((each) => text.includes(each))) {
    console.error(`  ${entry.name}: a development sentence in production: "${sentence}"`);
    failed = true;
  }
  const over = total > entry.ceiling;
  failed ||= over;
  const target = total <= entry.target ? 'met' : `NOT met, ${kb(total - entry.target)} over`;
  console.log(
    `${over ? 'FAIL' : 'ok  '} ${entry.name}: ${kb(total)} min+gzip (ceiling ${kb(entry.ceiling)}; issue target ${kb(entry.target)}: ${target}), ${kb(code.length)} min, ${kb(brotliCompressSync(code).length)} brotli`,
  );
  const own = (await bundle(entry.code, { external: ['@kmkit/core', '@kmkit/core/internal'] }))
    .outputFiles[0].text;
  const imported = (from) => [
    ...new Set(
      [...own.matchAll(new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*"${from}"`, 'g'))].flatMap(
        (match) => match[1].split(',').map((name) => name.trim().split(/\s+as\s+/)[0]),
      ),
    ),
  ];
  const [fromCore, fromInternal] = [imported('@kmkit/core'), imported('@kmkit/core/internal')];
  const coreSize = await sizeOf(
    `import { ${fromCore.join(', ')} } from '@kmkit/core';\nimport { ${fromInternal.join(', ')} } from '@kmkit/core/internal';\nwindow.core = [${[...fromCore, ...fromInternal].join(', ')}];`,
  );
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
  const { what, stubs } = entry.without;
  const rest = await sizeOf(entry.code, { source: true, stubs });
  console.log(
    `     without ${what} (from src/): ${kb(rest)} min+gzip, ${rest > entry.target ? `${kb(rest - entry.target)} over the target by itself` : 'within the target'}`,
  );
}

// The pieces alone, min+gzip: what no amount of slimming elsewhere removes.
const pieces = {
  "core's delivery engine (createDeliveryQueue, createFetchTransport)": `import { createDeliveryQueue, createFetchTransport } from '@kmkit/core';\nwindow.x = [createDeliveryQueue, createFetchTransport];`,
  "core's tracking-request encoding (toTrackingRequest)": `import { toTrackingRequest } from '@kmkit/core';\nwindow.x = toTrackingRequest;`,
  "core's full mapping (mapEvent)": `import { mapEvent } from '@kmkit/core';\nwindow.x = mapEvent;`,
  "the browser's mapping (src/mapping, from src/)": `import { mapMessage, resolveMapping } from './src/mapping/index.ts';\nwindow.x = [mapMessage, resolveMapping];`,
};
for (const [name, code] of Object.entries(pieces)) {
  const source = fromSource || code.includes('./src/');
  console.log(`     alone: ${name.padEnd(66)} ${kb(await sizeOf(code, { source }))} min+gzip`);
}
process.exit(failed ? 1 : 0);
