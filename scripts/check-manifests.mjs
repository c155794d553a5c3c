// `pnpm check:manifests` (CI runs it): the facts every package.json and README must agree on.
// - one Node.js requirement: the root's `engines.node` in every workspace package, and every
//   "Node.js X.Y or newer" in the READMEs names one of its floors;
// - MIT everywhere, and every published package carries the root LICENSE, in its tarball too
//   (`npm pack --dry-run`), which holds no test file;
// - published packages are exactly those under `packages/` (`pnpm pack:packages` packs those).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, workspaceDirs } from './workspace.mjs';

const read = (path) => readFileSync(join(root, path), 'utf8');
const problems = [];

const rootManifest = JSON.parse(read('package.json'));
const engine = rootManifest.engines?.node ?? '';
// Each major's oldest supported release: `^20.19.0 || >=22.12.0` -> 20.19, 22.12.
const floors = engine.split('||').map((part) => /^\s*(?:\^|>=)(\d+\.\d+)\.\d+\s*$/.exec(part)?.[1]);
if (floors.length === 0 || floors.some((floor) => floor === undefined)) {
  problems.push(
    `package.json: engines.node must read like "^20.19.0 || >=22.12.0", found "${engine}"`,
  );
}

const workspaces = workspaceDirs();

const license = read('LICENSE');
for (const dir of workspaces) {
  const file = join(dir, 'package.json');
  const manifest = JSON.parse(read(file));
  if (manifest.engines?.node !== engine) {
    problems.push(`${file}: engines.node is ${manifest.engines?.node}, the root says ${engine}`);
  }
  if (manifest.license !== 'MIT') problems.push(`${file}: license is ${manifest.license}, not MIT`);
  const published = dir.startsWith('packages/');
  if (published === Boolean(manifest.private)) {
    problems.push(
      `${file}: ${published ? 'a package under packages/ is published: drop "private"' : 'only packages under packages/ are published: add "private": true'}`,
    );
  }
  if (published) {
    let own;
    try {
      own = read(join(dir, 'LICENSE'));
    } catch {
      own = undefined;
    }
    if (own !== license) problems.push(`${dir}/LICENSE: missing or not a copy of the root LICENSE`);
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: join(root, dir),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
    const packed = pack.files.map((entry) => entry.path);
    if (!packed.includes('LICENSE')) problems.push(`${dir}: npm pack leaves LICENSE out`);
    const tests = packed.filter((path) => /\.test(-d)?\.ts$/.test(path));
    if (tests.length > 0) problems.push(`${dir}: npm pack includes tests: ${tests.join(', ')}`);
  }
}

// "Node.js 20.19 or newer", "Node 20.19+", "Node.js 18.17 and later": each must name a floor.
const claim = /\bNode(?:\.js)?\s+v?(\d+(?:\.\d+)*)(?:\+|\s+(?:or|and)\s+(?:newer|later))/g;
const readmes = [
  'README.md',
  'DEVELOPERS.md',
  ...workspaces.map((dir) => join(dir, 'README.md')),
].filter((path) => {
  try {
    read(path);
    return true;
  } catch {
    return false;
  }
});
for (const path of readmes) {
  for (const match of read(path).matchAll(claim)) {
    if (!floors.includes(match[1])) {
      problems.push(`${path}: "${match[0]}" disagrees with engines.node ${engine}`);
    }
  }
}
// The README states the whole range: "Node.js 20.19 or newer (on Node 22, 22.12 or newer)".
const [oldest, ...later] = floors;
const readme = read('README.md').replace(/\s+/g, ' ');
if (!readme.includes(`Node.js ${oldest} or newer`)) {
  problems.push(`README.md must say "Node.js ${oldest} or newer" (engines.node ${engine})`);
}
for (const floor of later) {
  if (!readme.includes(`${floor} or newer`)) {
    problems.push(`README.md must say "${floor} or newer" (engines.node ${engine})`);
  }
}

if (problems.length > 0) {
  console.error(problems.map((problem) => `✗ ${problem}`).join('\n'));
  process.exitCode = 1;
} else {
  console.log(
    `manifests agree: Node.js ${engine}, MIT, LICENSE in ${workspaces.filter((dir) => dir.startsWith('packages/')).length} published packages`,
  );
}
