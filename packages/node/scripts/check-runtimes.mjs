// `pnpm check:runtimes` (after `pnpm build`): runs the built package on every Node.js version the
// engines field claims (18, 20, 22), fetched from the npm registry by npx. CI runs it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const smoke = fileURLToPath(new URL('built-package-smoke.mjs', import.meta.url));
let failed = 0;
for (const version of ['18', '20', '22']) {
  const result = spawnSync('npx', ['-y', '-p', `node@${version}`, 'node', smoke], {
    encoding: 'utf8',
  });
  process.stdout.write(result.stdout);
  if (result.status !== 0) {
    failed++;
    process.stderr.write(result.stderr);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
