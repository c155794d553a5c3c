// `pnpm check:types` (after `pnpm build`): the type tests in `type-tests/` against the built
// declarations (`dist/*.d.ts` and `.d.cts`, as users resolve them: no `@kmkit/source` condition),
// under `moduleResolution` node16 (ESM and CommonJS) and bundler, on the workspace's TypeScript
// and on the oldest one we check (a devDependency alias). `skipLibCheck` is off, so an error inside
// our declarations fails too. CI runs it. (The package lists `typescript` itself beside the
// `typescript-5.4` alias, so that its `tsc` bin, which `pnpm typecheck` runs, stays the workspace's:
// pnpm would otherwise link the alias's.)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

if (!existsSync(`${root}dist/index.d.ts`) || !existsSync(`${root}dist/index.d.cts`)) {
  console.error(
    'dist/ is missing: run `pnpm build` first (the type tests read the built declarations).',
  );
  process.exit(1);
}

const compilers = ['typescript', 'typescript-5.4'].map((name) => {
  const { version } = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8'));
  return { version, tsc: require.resolve(`${name}/bin/tsc`) };
});
const configs = ['node16', 'bundler'];

let failed = 0;
for (const { version, tsc } of compilers) {
  for (const config of configs) {
    const result = spawnSync(process.execPath, [tsc, '-p', `type-tests/tsconfig.${config}.json`], {
      cwd: root,
      encoding: 'utf8',
    });
    const ok = result.status === 0;
    if (!ok) failed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} TypeScript ${version}, moduleResolution ${config}`);
    if (!ok) process.stdout.write(result.stdout + result.stderr);
  }
}
process.exit(failed === 0 ? 0 : 1);
