// `pnpm bench`: every figure in one run on one loopback server (its own process), each client in
// a process of its own. Prints events/s, losses, the ratios against the targets, and memory.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from '../../../scripts/bundle-for-node.mjs';
import { DEFAULT_CONCURRENCY } from '../src/client/index.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const LEGACY_EVENTS = Number(process.env.BENCH_LEGACY_EVENTS ?? 20_000);
const FETCH_EVENTS = Number(process.env.BENCH_FETCH_EVENTS ?? 5_000);
const AUTOCANNON_SECONDS = Number(process.env.BENCH_AUTOCANNON_SECONDS ?? 10);
const MEMORY_EVENTS = 100_000;

const here = fileURLToPath(new URL('.', import.meta.url));
// Every process runs a bundle built like the published package: through tsx each closure gets a
// __name call that the published build does not have, which would weigh on the client measured.
const bundles = new Map<string, Promise<string>>();
const bundled = (file: string) => {
  let path = bundles.get(file);
  if (!path) {
    path = bundleForNode(file);
    bundles.set(file, path);
  }
  return path;
};

type Result = Record<string, number>;

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(await bundled(`${here}server.ts`), [], { stdio: 'inherit' });
  return new Promise((resolve) => {
    child.once('message', (message: { port: number }) => {
      resolve({ child, url: `http://127.0.0.1:${message.port}` });
    });
  });
}

function ask<T>(server: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    server.once('message', (message) => resolve(message as T));
    server.send({ type });
  });
}

async function phase(name: string, args: readonly string[], flags: readonly string[] = []) {
  const script = await bundled(`${here}phases/${name}.ts`);
  return new Promise<Result>((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('exit', (code) => {
      const line = output.split('\n').find((text) => text.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`bench phase ${name} failed (exit ${code})`));
      else resolve(JSON.parse(line.slice('RESULT '.length)) as Result);
    });
  });
}

const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main() {
  const { child: server, url } = await startServer();
  const rows: { name: string; events: number; seconds: number; perSecond: number; lost: string }[] =
    [];
  const run = async (
    label: string,
    name: string,
    args: string[],
    events: (result: Result) => number,
    lost: (result: Result, unique: number) => string,
  ) => {
    await ask(server, 'reset');
    const result = await phase(name, args);
    const counted = await ask<{ requests: number; unique: number }>(server, 'count');
    const row = {
      name: label,
      events: events(result),
      seconds: result.seconds!,
      perSecond: result.perSecond!,
      lost: lost(result, counted.unique),
    };
    rows.push(row);
    console.log(
      `  ${label}: ${fmt(row.perSecond)} events/s (${fmt(row.events)} in ${fmt(row.seconds, 2)} s), lost ${row.lost}`,
    );
    return { result, counted };
  };
  const lostOf = (events: number, unique: number) => `${fmt(events - unique)} of ${fmt(events)}`;

  console.log(`kmkit @kmkit/node bench: loopback server ${url}, Node ${process.version}\n`);
  const limit = await run(
    'autocannon -c 32 (loopback limit)',
    'autocannon',
    [url, String(AUTOCANNON_SECONDS)],
    (result) => result.requests!,
    (result) => `n/a (${fmt(result.errors!)} errors)`,
  );
  const floor = await run(
    `undici request() loop, prebuilt URLs (transport floor, concurrency ${DEFAULT_CONCURRENCY})`,
    'undici-floor',
    [url, String(EVENTS), String(DEFAULT_CONCURRENCY)],
    (result) => result.events!,
    (result, unique) => `${lostOf(result.events!, unique)} (${fmt(result.errors!)} errors)`,
  );
  const ours = await run(
    `@kmkit/node (concurrency ${DEFAULT_CONCURRENCY}, default)`,
    'ours',
    [url, String(EVENTS), String(DEFAULT_CONCURRENCY)],
    (result) => result.events!,
    (result, unique) => lostOf(result.events!, unique),
  );
  const ours64 = await run(
    '@kmkit/node (concurrency 64)',
    'ours',
    [url, String(EVENTS), '64'],
    (result) => result.events!,
    (result, unique) => lostOf(result.events!, unique),
  );
  const spooled = await run(
    `@kmkit/node + spool (fsync interval)`,
    'ours',
    [url, String(EVENTS), String(DEFAULT_CONCURRENCY), 'spool'],
    (result) => result.events!,
    (result, unique) => lostOf(result.events!, unique),
  );
  const naive = await run(
    'sequential fetch loop',
    'fetch-loop',
    [url, String(FETCH_EVENTS)],
    (result) => result.events!,
    (result, unique) => lostOf(result.events!, unique),
  );
  const legacy = await run(
    'kissmetrics@0.0.4',
    'kissmetrics',
    [url, String(LEGACY_EVENTS)],
    (result) => result.events!,
    (result, unique) => `${lostOf(result.events!, unique)} (${fmt(result.errors!)} errors)`,
  );

  const best = Math.max(ours.result.perSecond!, ours64.result.perSecond!);
  const limitRate = limit.result.perSecond!;
  const legacyRate = legacy.result.perSecond!;
  console.log('\nratios (one run, same server and request shape)');
  console.log(
    `  ours (default) / loopback limit: ${fmt(ours.result.perSecond! / limitRate, 2)} (target >= 0.6)`,
  );
  console.log(`  ours (best)    / loopback limit: ${fmt(best / limitRate, 2)}`);
  console.log(
    `  undici floor   / loopback limit: ${fmt(floor.result.perSecond! / limitRate, 2)} (the best any undici-based client reaches here)`,
  );
  console.log(
    `  ours (default) / undici floor: ${fmt(ours.result.perSecond! / floor.result.perSecond!, 2)} (client CPU ${fmt(ours.result.cpuMicros!, 1)} vs ${fmt(floor.result.cpuMicros!, 1)} µs a request)`,
  );
  console.log(
    `  ours (default) / kissmetrics@0.0.4: ${fmt(ours.result.perSecond! / legacyRate, 1)}x (target >= 10x)`,
  );
  console.log(
    `  ours (default) / sequential fetch: ${fmt(ours.result.perSecond! / naive.result.perSecond!, 1)}x`,
  );
  console.log(
    `  ours + spool   / ours: ${fmt(spooled.result.perSecond! / ours.result.perSecond!, 2)}`,
  );
  console.log(
    `  track() cost: ${fmt(ours.result.trackMicros!, 1)} µs a call (parse, map, encode, queue); client CPU ${fmt(ours.result.cpuMicros!, 1)} µs an event in all (${fmt(spooled.result.cpuMicros!, 1)} with the spool)`,
  );
  const lossFree = [ours, ours64, spooled].every(
    ({ result, counted }) => counted.unique === result.events && result.delivered === result.events,
  );
  console.log(`  @kmkit/node losses: ${lossFree ? 'none' : 'SOME: see above'}`);

  server.kill();
  const down = `http://127.0.0.1:${new URL(url).port}`;
  const memory = await phase('memory', [down, String(MEMORY_EVENTS)], ['--expose-gc']);
  console.log(`\nmemory: ${fmt(MEMORY_EVENTS)} events queued while the endpoint is down`);
  console.log(
    `  queued ${fmt(memory.queued!)} requests (${fmt(memory.queuedBytes! / 2 ** 20, 1)} MiB of URLs)`,
  );
  console.log(
    `  heap ${fmt(memory.heapPerEvent!)} bytes a queued event (${fmt(memory.heapMiB!, 1)} MiB heap in all), RSS ${fmt(memory.rssPerEvent!)} bytes an event, peak RSS ${fmt(memory.peakRssMiB!, 1)} MiB`,
  );
  console.log(
    `  at the default caps (10,000 requests or 16 MiB) that bounds the queue near ${fmt((memory.heapPerEvent! * 10_000) / 2 ** 20, 1)} MiB of heap`,
  );
}

await main();
