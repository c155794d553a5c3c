// Runs a TypeScript script as users' code runs: bundled like the published packages (see
// bundle-for-node.mjs) and executed by plain Node.
//   node scripts/run-bundled.mjs <entry.ts> [args...]
import { spawnSync } from 'node:child_process';
import { bundleForNode } from './bundle-for-node.mjs';

const [entry, ...args] = process.argv.slice(2);
if (!entry) throw new Error('usage: node scripts/run-bundled.mjs <entry.ts> [args...]');
const result = spawnSync(process.execPath, [await bundleForNode(entry), ...args], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
