// `pnpm check:types [package-dir...]` (after `pnpm build`): every package's type tests against its
// built declarations (`dist/*.d.ts` and `.d.cts`, as users resolve them: no `@kmkit/source`
// condition), with no argument every workspace package that has a `type-tests/` folder. Each
// `type-tests/tsconfig.<name>.json` is one way users compile (moduleResolution node16 with ESM and
// CommonJS files, bundler, a `workerd` condition...), checked on the workspace's TypeScript and on
// the oldest one we support (the root's `typescript-5.4` alias). `skipLibCheck` is off in those
// configs, so an error inside our declarations fails too; every `@ts-expect-error` line is a call
// that must not compile, and tsc fails on one that does. CI runs it.
//
// The root lists `typescript` itself beside the alias, so that the `tsc` bin every package's
// `typecheck` runs stays the workspace's TypeScript (pnpm would otherwise link the alias's).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { root, workspaceDirs } from './workspace.mjs';

const require = createRequire(join(root, 'package.json'));

const compilers = ['typescript', 'typescript-5.4'].map((name) => {
  const manifest = require.resolve(`${name}/package.json`);
  const { version } = JSON.parse(readFileSync(manifest, 'utf8'));
  return { version, tsc: require.resolve(`${name}/bin/tsc`) };
});

/** Workspace package folders that hold type tests. */
function packagesWithTypeTests() {
  return workspaceDirs()
    .map((dir) => join(root, dir))
    .filter((pkg) => existsSync(join(pkg, 'type-tests')));
}

/** Every `types` file the package's `exports` name (the `@kmkit/source` condition aside). */
function declaredTypes(exportsField) {
  if (typeof exportsField !== 'object' || exportsField === null) return [];
  return Object.entries(exportsField).flatMap(([key, value]) => {
    if (key === '@kmkit/source') return [];
    if (key === 'types' && typeof value === 'string') return [value];
    return declaredTypes(value);
  });
}

const packageDirs = process.argv.slice(2).map((dir) => resolve(dir));
const packages = packageDirs.length > 0 ? packageDirs : packagesWithTypeTests();
if (packages.length === 0) {
  console.error('no package with a type-tests/ folder');
  process.exit(1);
}

const runs = [];
let missing = 0;
for (const pkg of packages) {
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  const configs = existsSync(join(pkg, 'type-tests'))
    ? readdirSync(join(pkg, 'type-tests')).filter((file) => /^tsconfig\..+\.json$/.test(file))
    : [];
  if (configs.length === 0) {
    console.error(`${manifest.name}: no type-tests/tsconfig.<name>.json`);
    missing++;
    continue;
  }
  const absent = [...new Set(declaredTypes(manifest.exports))].filter(
    (file) => !existsSync(join(pkg, file)),
  );
  if (absent.length > 0) {
    console.error(
      `${manifest.name}: ${absent.join(', ')} missing: run \`pnpm build\` first (the type tests read the built declarations).`,
    );
    missing++;
    continue;
  }
  for (const config of configs) {
    for (const compiler of compilers) {
      runs.push({ pkg, name: manifest.name, config, compiler });
    }
  }
}
if (missing > 0) process.exit(1);

function run({ pkg, config, compiler }) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [compiler.tsc, '-p', join('type-tests', config)], {
      cwd: pkg,
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('close', (code) => done({ ok: code === 0, output }));
  });
}

// A few compilers at once: each is one CPU-bound process.
const width = Math.max(...runs.map(({ name }) => name.length));
const results = new Array(runs.length);
let next = 0;
async function worker() {
  while (next < runs.length) {
    const index = next++;
    results[index] = await run(runs[index]);
  }
}
await Promise.all(Array.from({ length: Math.min(2, availableParallelism(), runs.length) }, worker));

let failed = 0;
runs.forEach(({ pkg, name, config, compiler }, index) => {
  const { ok, output } = results[index];
  if (!ok) failed++;
  const kind = config.replace(/^tsconfig\.|\.json$/g, '');
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${name.padEnd(width)}  TypeScript ${compiler.version.padEnd(5)}  ${kind}`,
  );
  if (!ok) {
    const where = relative(root, pkg);
    process.stdout.write(
      output
        .split('\n')
        .map((line) => (line.startsWith('type-tests/') ? `${where}/${line}` : line))
        .join('\n'),
    );
  }
});
console.log(`${runs.length - failed} of ${runs.length} passed`);
process.exit(failed === 0 ? 0 : 1);
