// `pnpm check:consumers` (after `pnpm build`): each published package as a new user meets it. The
// five packages are packed as npm publishes them, installed from the tarballs into a fresh project
// outside the repo (with TypeScript, @types/node, msw, vitest and happy-dom from the registry), and
// each README's first ```ts example is type-checked (node16, strict, skipLibCheck off) and run as
// ESM; a CommonJS file per package (scripts/consumers/<name>.cts) requires every entry, calls it
// as the README does and checks what comes back, type-checked as .cts and run as the .cjs tsc
// emits. Every stage asserts something a user would see (an exit code, the README's own stated
// output, a test count) and fails naming the package, the stage, what was expected and what was
// seen. The temp project is removed on success and kept (its path printed) on failure.
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { root } from './workspace.mjs';

const fixtures = join(root, 'scripts/consumers');
const PACKAGES = ['core', 'browser', 'node', 'tapstream-bridge', 'msw'];
// What a user adds beside kmkit: the compiler and Node types, msw and vitest for @kmkit/msw's
// example (a vitest test), happy-dom to give the website examples a page.
const USER_DEPENDENCIES = [
  'typescript@5.9',
  '@types/node@20',
  'msw@2',
  'vitest@4.1',
  'happy-dom@20',
];

/** Runs a command; resolves with its exit code (null when killed at the deadline) and output. */
function run(command, args, { cwd, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve) => {
    const env = { ...process.env, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    const child = spawn(command, args, { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
    });
    const started = Date.now();
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // A command that is not installed (ENOENT): told as an exit code, like the others.
    child.on('error', (error) => {
      stderr += `${error.message}\n`;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started, timedOut: code === null });
    });
  });
}

/** Throws unless the command exited 0; the message holds its output's tail. */
async function must(what, command, args, options) {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${what} failed (${exitOf(result)}):\n${tail(result.stdout + result.stderr)}`);
  }
  return result;
}

function exitOf({ code, timedOut, ms }) {
  return timedOut ? `killed after ${ms} ms` : `exit ${code}`;
}

function tail(text, lines = 30) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** The fenced code blocks of a markdown text, in order: `{ lang, body }`. */
function codeBlocks(markdown) {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].map(([, lang, body]) => ({
    lang,
    body,
  }));
}

function readme(name) {
  return readFileSync(join(root, 'packages', name, 'README.md'), 'utf8');
}

/** The README's first ```ts block: the example a new user copies. */
function firstExample(name) {
  const block = codeBlocks(readme(name)).find(({ lang }) => lang === 'ts');
  if (!block) throw new Error(`packages/${name}/README.md has no \`\`\`ts block`);
  return block.body;
}

/** A JavaScript literal written in a README comment, as a value. */
function literal(text) {
  return new Function(`return (${text});`)();
}

/**
 * What the example prints, as its comments state it: a `// https://...` line is one output line
 * as is; `console.log(x); // value` and a `// [` or `// {` comment run hold a value, printed as
 * console.log prints it.
 */
function statedOutput(example) {
  const lines = example.split('\n');
  const output = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    const trailing = line.match(/^console\.log\(.*\);\s*\/\/\s*(.+)$/);
    if (trailing) output.push(...inspect(literal(trailing[1])).split('\n'));
    else if (line.startsWith('// https://')) output.push(line.slice(3));
    else if (/^\/\/ [[{]/.test(line)) {
      let text = line.slice(3);
      while (!parses(text)) text += `\n${lines[++i].trim().replace(/^\/\/ ?/, '')}`;
      output.push(...inspect(literal(text)).split('\n'));
    }
  }
  return output;
}

function parses(text) {
  try {
    literal(text);
    return true;
  } catch {
    return false;
  }
}

/** The first line where two outputs differ, told as expected vs seen. */
function firstDifference(expected, seen) {
  for (let i = 0; i < Math.max(expected.length, seen.length); i++) {
    if (expected[i] !== seen[i]) {
      return `line ${i + 1}: expected ${JSON.stringify(expected[i] ?? '<end>')}, saw ${JSON.stringify(seen[i] ?? '<end>')}`;
    }
  }
  return undefined;
}

// --- the fresh project ------------------------------------------------------------------------

const work = mkdtempSync(join(tmpdir(), 'kmkit-consumers-'));
const packs = join(work, 'packs');
const app = join(work, 'app');
mkdirSync(app);
const started = Date.now();
const results = [];
// A line a stage adds to its `ok` line (what it saw), by package.
const notes = {};

function record(name, stage, problem, note) {
  results.push({ name, stage, problem });
  const label = `@kmkit/${name}`.padEnd(24);
  // stdout too: the FAIL lines stay in order among the ok ones in a CI log.
  if (problem) console.log(`FAIL ${label} ${stage}: ${problem}`);
  else console.log(`ok   ${label} ${stage}${note ? `: ${note}` : ''}`);
}

try {
  // The workspace's pnpm when on PATH, else the one CI uses (`npx --yes pnpm@10`).
  const hasPnpm = (await run('pnpm', ['--version'], { cwd: root })).code === 0;
  const [pnpm, ...pnpmArgs] = hasPnpm ? ['pnpm'] : ['npx', '--yes', 'pnpm@10'];
  await must(
    'pnpm pack',
    pnpm,
    [...pnpmArgs, '-r', '--filter', './packages/**', 'pack', '--pack-destination', packs],
    { cwd: root },
  );
  const tarballs = PACKAGES.map((name) => {
    const file = readdirSync(packs).find(
      (f) => f.startsWith(`kmkit-${name}-`) && f.endsWith('.tgz'),
    );
    if (!file) throw new Error(`pnpm pack made no tarball of @kmkit/${name} in ${packs}`);
    return join(packs, file);
  });

  await must('npm init', 'npm', ['init', '-y'], { cwd: app });
  // The examples are ESM (import, top-level await): a "type": "module" project, .cts for CommonJS.
  await must('npm pkg set', 'npm', ['pkg', 'set', 'type=module'], { cwd: app });
  // All five tarballs in one install: npm satisfies their 0.0.0 dependencies on each other from
  // them, as it will from the registry once published.
  const install = await must(
    'npm install',
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs, ...USER_DEPENDENCIES],
    { cwd: app, timeoutMs: 180_000 },
  );
  console.log(`fresh project: ${app} (npm install ${(install.ms / 1000).toFixed(1)} s)`);

  // The examples, verbatim, under the names their READMEs give them where they give one.
  const examples = {
    core: 'core/example.ts',
    browser: 'browser/example.ts',
    node: 'node/track.ts',
    'tapstream-bridge': 'tapstream-bridge/example.ts',
    msw: 'msw/signup.test.ts',
  };
  for (const name of PACKAGES) {
    mkdirSync(join(app, name));
    writeFileSync(join(app, examples[name]), firstExample(name));
    copyFileSync(join(fixtures, `${name}.cts`), join(app, name, 'require.cts'));
  }
  copyFileSync(join(fixtures, 'page.mjs'), join(app, 'page.mjs'));
  copyFileSync(join(fixtures, 'no-network.mjs'), join(app, 'no-network.mjs'));

  // A user's strict tsconfig: node16, skipLibCheck off (so an error inside our declarations
  // counts), and the two checks `tsc --init` turns on. "server" has no DOM lib: the Node-side
  // entries must compile without it. "dom" has the website examples, and msw's: msw's own
  // declarations (msw/node, @mswjs/interceptors, rettime) use DOM types such as MessageEvent and
  // RequestMode and fail inside node_modules without the DOM lib.
  const dom = ['es2022', 'dom', 'dom.iterable'];
  const projects = {
    server: { lib: ['es2022'], files: ['core/*', 'node/*', 'tapstream-bridge/require.cts'] },
    dom: { lib: dom, files: ['browser/*', examples['tapstream-bridge'], examples.msw] },
    // skipLibCheck on for this one file only: msw 2's CommonJS declarations (msw/lib/core/*.d.ts)
    // import the ESM-only `rettime`, which node16 refuses there (TS1479), inside msw, not ours.
    'msw-cjs': { lib: dom, files: ['msw/require.cts'], skipLibCheck: true },
  };
  for (const [project, { lib, files, skipLibCheck = false }] of Object.entries(projects)) {
    const compilerOptions = {
      module: 'node16',
      moduleResolution: 'node16',
      target: 'es2022',
      lib,
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck,
      rootDir: '.',
      outDir: 'out',
    };
    const tsconfig = JSON.stringify({ compilerOptions, include: files }, null, 2);
    writeFileSync(join(app, `tsconfig.${project}.json`), tsconfig);
  }

  // Type-check, and emit the .js/.cjs the run stages execute (one tsc per project: tsc's errors
  // name the file, so each is told to its package and stage).
  const compiled = await Promise.all(
    Object.keys(projects).map((project) =>
      run('npx', ['tsc', '-p', `tsconfig.${project}.json`], { cwd: app, timeoutMs: 120_000 }),
    ),
  );
  const tscOutput = compiled.map(({ stdout, stderr }) => stdout + stderr).join('\n');
  // One entry per error: its first line names the file, indented lines continue it.
  const errorLines = tscOutput
    .split(/\n(?=\S)/)
    .map((error) => error.trimEnd())
    .filter((error) => /^\S+\(\d+,\d+\): error TS\d+/.test(error));
  const claimed = new Set();
  for (const name of PACKAGES) {
    for (const [stage, own] of [
      ['typecheck esm', (file) => file === examples[name]],
      ['typecheck cjs', (file) => file === `${name}/require.cts`],
    ]) {
      const errors = errorLines.filter((line) => {
        const file = line.slice(0, line.indexOf('('));
        // An error inside our declarations: .d.cts ones are what CommonJS resolves.
        const declaration =
          file.startsWith(`node_modules/@kmkit/${name}/`) &&
          file.endsWith('.d.cts') === (stage === 'typecheck cjs');
        return own(file) || declaration;
      });
      for (const line of errors) claimed.add(line);
      record(
        name,
        stage,
        errors.length > 0 ? `expected no tsc error, saw:\n${errors.join('\n')}` : undefined,
      );
    }
  }
  const unclaimed = errorLines.filter((line) => !claimed.has(line));
  if (
    unclaimed.length > 0 ||
    (compiled.some(({ code }) => code !== 0) && errorLines.length === 0)
  ) {
    record('*', 'typecheck', `tsc errors outside kmkit's files:\n${tail(tscOutput)}`);
  }

  // Run stages, side by side (@kmkit/node's offline close() takes its 10 s).
  const node = (args, timeoutMs = 30_000) => run('node', args, { cwd: app, timeoutMs });
  const runs = {
    core: async () => {
      const expected = statedOutput(firstExample('core'));
      const result = await node(['out/core/example.js']);
      if (result.code !== 0)
        return `expected exit 0, saw ${exitOf(result)}:\n${tail(result.stderr)}`;
      const seen = result.stdout.trimEnd().split('\n');
      const difference = firstDifference(expected, seen);
      return difference && `stdout differs from the README's comments, ${difference}`;
    },
    browser: async () => {
      // On a server (no document) the client takes every call and sends nothing (README: SSR).
      const result = await node(['--import', './no-network.mjs', 'out/browser/example.js']);
      if (result.code !== 0)
        return `expected exit 0, saw ${exitOf(result)}:\n${tail(result.stderr)}`;
      if (result.stdout.trim() !== 'requests: 0' || result.stderr.trim() !== '') {
        return `expected no request and no warning, saw stdout ${JSON.stringify(result.stdout.trim())}, stderr ${JSON.stringify(result.stderr.trim())}`;
      }
    },
    node: async () => {
      // Kissmetrics is unreachable here: the README says each request then retries and is
      // dropped (unsent_at_close) with a line when close() gives up after its 10 s.
      const closeLine = firstExample('node')
        .split('\n')
        .find((line) => line.startsWith('console.log(await km.close()); //'));
      if (!closeLine) return "expected the README's example to state close()'s result in a comment";
      const stated = literal(closeLine.slice(closeLine.indexOf('//') + 2));
      const requests = stated.delivered + stated.failed + stated.dropped;
      const result = await node(['out/node/track.js']);
      if (result.code !== 0)
        return `expected exit 0 within 30 s, saw ${exitOf(result)}:\n${tail(result.stderr)}`;
      const last = result.stdout.trimEnd().split('\n').at(-1) ?? '';
      let seen;
      try {
        seen = literal(last);
      } catch {
        return `expected close()'s result as the last line, saw ${JSON.stringify(last)}`;
      }
      const unsent = result.stderr
        .split('\n')
        .filter((line) => line.startsWith('dropped (unsent_at_close):')).length;
      const keys = Object.keys(seen).join(', ');
      if (
        keys !== Object.keys(stated).join(', ') ||
        seen.delivered + seen.failed + seen.dropped !== requests ||
        seen.persisted !== false ||
        seen.remaining !== unsent
      ) {
        return `expected { ${Object.keys(stated).join(', ')} } accounting for ${requests} requests, one "dropped (unsent_at_close)" line per remaining one; saw ${last} and ${unsent} such lines`;
      }
      notes.node = `close() gave ${last}`;
    },
    'tapstream-bridge': async () => {
      // Run in a page (page.mjs); the README's ```js block after the example says what it pushes.
      const blocks = codeBlocks(readme('tapstream-bridge'));
      const pushes = blocks[blocks.findIndex(({ lang }) => lang === 'ts') + 1].body;
      const KM = { i: () => 'visitor-42' };
      const tsq = [...pushes.matchAll(/^_tsq\.push\((.*)\);$/gm)].map(([, args]) =>
        new Function('KM', `return ${args};`)(KM),
      );
      const scriptUrl = readme('tapstream-bridge').match(
        /`tapstreamScriptUrl`\s*\|\s*`([^`]+)`/,
      )[1];
      const expected = JSON.stringify({ scripts: [scriptUrl], tsq });
      const result = await node(['page.mjs', 'out/tapstream-bridge/example.js']);
      if (result.code !== 0)
        return `expected exit 0, saw ${exitOf(result)}:\n${tail(result.stderr)}`;
      const seen = result.stdout.trim();
      if (seen !== expected) return `expected the page to hold ${expected}, saw ${seen}`;
    },
    msw: async () => {
      const report = join(work, 'vitest.json');
      const result = await run(
        'npx',
        [
          'vitest',
          'run',
          '--dir',
          'msw',
          '--reporter=default',
          '--reporter=json',
          `--outputFile.json=${report}`,
        ],
        { cwd: app, timeoutMs: 90_000 },
      );
      let counts = 'no report';
      try {
        const { numPassedTests, numTotalTests } = JSON.parse(readFileSync(report, 'utf8'));
        counts = `${numPassedTests} passed of ${numTotalTests}`;
        if (result.code === 0 && numPassedTests === 1 && numTotalTests === 1) return;
      } catch {}
      return `expected 1 passed of 1 and exit 0, saw ${counts}, ${exitOf(result)}:\n${tail(result.stdout + result.stderr)}`;
    },
  };
  const outcomes = await Promise.all(
    PACKAGES.flatMap((name) => [
      runs[name]().catch((error) => `threw: ${error.stack ?? error}`),
      node([`out/${name}/require.cjs`]).then((result) =>
        result.code === 0 && result.stdout.trim() === 'cjs ok'
          ? undefined
          : `expected exit 0 and "cjs ok", saw ${exitOf(result)}:\n${tail(result.stdout + result.stderr)}`,
      ),
    ]),
  );
  PACKAGES.forEach((name, i) => {
    record(name, name === 'msw' ? 'esm run (vitest)' : 'esm run', outcomes[2 * i], notes[name]);
    record(name, 'cjs run', outcomes[2 * i + 1]);
  });
} catch (error) {
  record('*', 'setup', error.message);
}

const failed = results.filter(({ problem }) => problem);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (failed.length > 0) {
  console.error(
    `consumers: ${failed.length} of ${results.length} checks failed in ${seconds} s; project kept in ${work}`,
  );
  process.exitCode = 1;
} else {
  console.log(
    `consumers: ${results.length} checks passed in ${seconds} s (${PACKAGES.length} packages: typecheck and run, ESM and CommonJS)`,
  );
}
if (failed.length === 0) rmSync(work, { recursive: true, force: true });
