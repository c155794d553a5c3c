// `pnpm check:runtimes` (after `pnpm build`): runs the built package on every Node.js the engines
// field claims: each floor of the range (`^20.19.0 || >=22.12.0` -> 20.19.0 and 22.12.0), the
// latest release of those majors, and each newer LTS major, all fetched from the npm registry by
// npx. CI runs it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The LTS majors above the range's floors; add each new one when it is released.
const NEWER_MAJORS = ['24', '26'];

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const engine = manifest.engines?.node ?? '';
const floors = engine.split('||').map((part) => /^\s*(?:\^|>=)(\d+\.\d+\.\d+)\s*$/.exec(part)?.[1]);
if (floors.length === 0 || floors.some((floor) => floor === undefined)) {
  throw new Error(`engines.node must read like "^20.19.0 || >=22.12.0", found "${engine}"`);
}
const versions = [...floors.flatMap((floor) => [floor, floor.split('.')[0]]), ...NEWER_MAJORS];

const smoke = fileURLToPath(new URL('built-package-smoke.mjs', import.meta.url));
let failed = 0;
for (const version of versions) {
  // --yes: never stop at npx's install prompt, whatever the user's npm config says.
  const result = spawnSync('npx', ['--yes', '-p', `node@${version}`, 'node', smoke], {
    encoding: 'utf8',
  });
  process.stdout.write(result.stdout);
  if (result.status !== 0) {
    failed++;
    process.stderr.write(result.stderr || `node@${version}: ${result.error ?? 'failed'}\n`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
