// `pnpm bench` (relay part): the relay on loopback beside the same machine's ceiling (an empty
// node:http server) and the Tapstream forwarder, all under autocannon, each in a process of its
// own and bundled like the published build; then the latency a relay adds to one request.
// BENCH_RELAY_SECONDS shortens a run.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from '../../../../scripts/bundle-for-node.mjs';

const SECONDS = Number(process.env.BENCH_RELAY_SECONDS ?? 8);
const CONNECTIONS = 64;
const here = fileURLToPath(new URL('.', import.meta.url));

interface Load {
  answered: number;
  perSecond: number;
  failed: number;
  p50: number;
  p99: number;
  average: number;
  sent: number;
}
interface Finish {
  client?: { delivered: number; failed: number; dropped: number };
  flushSeconds: number;
}

async function start(
  file: string,
  args: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(await bundleForNode(`${here}${file}`), args, { stdio: 'inherit' });
  return new Promise((resolve) => {
    child.once('message', (message: { port: number }) => resolve({ child, port: message.port }));
  });
}

function ask<T>(child: ChildProcess, message: object): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (answer) => resolve(answer as T));
    child.send(message);
  });
}

async function load(
  port: number,
  kind: string,
  connections: number,
  seconds: number,
  start: number,
) {
  const script = await bundleForNode(`${here}load.ts`);
  return new Promise<Load>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        script,
        `http://127.0.0.1:${port}`,
        kind,
        String(connections),
        String(seconds),
        String(start),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('exit', (code) => {
      const line = output.split('\n').find((text) => text.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`load against ${kind} failed (exit ${code})`));
      else resolve(JSON.parse(line.slice('RESULT '.length)) as Load);
    });
  });
}

const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main() {
  const sink = await start('sink.ts');
  const sinkUrl = `http://127.0.0.1:${sink.port}`;
  const spoolDir = mkdtempSync(join(tmpdir(), 'kmkit-relay-bench-'));
  console.log(
    `\n@kmkit/node/relay bench: loopback, Node ${process.version}, autocannon -c ${CONNECTIONS} for ${SECONDS} s a row, each request a distinct event\n`,
  );

  // Throughput: each server under the same load; what it answered 2xx must reach the sink.
  const targets: [string, string, string[]][] = [
    ['empty node:http server (the ceiling)', 'empty', []],
    ['Tapstream forwarder.listener (no spool)', 'forwarder', []],
    ['relay.listener (no spool)', 'relay', []],
    ['relay.listener (spool, fsync interval)', 'relay', [join(spoolDir, 'throughput')]],
  ];
  const rows: { name: string; load: Load; finish?: Finish; distinct?: number }[] = [];
  let offset = 0;
  for (const [name, kind, extra] of targets) {
    await ask(sink.child, { type: 'reset' });
    const target = await start('target.ts', [kind === 'relay' ? 'relay' : kind, sinkUrl, ...extra]);
    const loadKind = kind === 'forwarder' ? 'forwarder' : 'relay';
    await load(target.port, loadKind, CONNECTIONS, 1, offset + 10_000_000); // warm-up
    const result = await load(target.port, loadKind, CONNECTIONS, SECONDS, offset);
    offset += result.sent + 1;
    if (kind === 'empty') {
      target.child.kill();
      rows.push({ name, load: result });
      continue;
    }
    const finish = await ask<Finish>(target.child, { type: 'finish' });
    target.child.kill();
    const counts = await ask<{ distinct: number }>(sink.child, { type: 'counts' });
    rows.push({ name, load: result, finish, distinct: counts.distinct });
  }
  const ceiling = rows[0]!.load.perSecond;
  console.log(
    `${'server'.padEnd(42)} ${'answered/s'.padStart(11)} ${'x ceiling'.padStart(9)} ${'non-2xx'.padStart(8)}  delivered (distinct at Kissmetrics) / answered 2xx`,
  );
  for (const { name, load: result, finish, distinct } of rows) {
    // The warm-up's events reach the sink too: the count is of the measured run's and the warm-up's.
    const delivery = finish
      ? `${fmt(finish.client?.delivered ?? 0)} (${fmt(distinct ?? 0)}) / ${fmt(result.answered)}, drained ${finish.flushSeconds.toFixed(1)} s after`
      : '';
    console.log(
      `${name.padEnd(42)} ${fmt(result.perSecond).padStart(11)} ${(result.perSecond / ceiling).toFixed(2).padStart(9)} ${fmt(result.failed).padStart(8)}  ${delivery}`,
    );
  }

  // Added latency: one request at a time, against the empty server and the relay, with Kissmetrics
  // answering at once and after 80 ms (the relay answers once queued, not once delivered).
  console.log(
    '\nlatency of one request at a time (one keep-alive connection, each request timed), ms',
  );
  console.log(
    `${'server'.padEnd(50)} ${'p50'.padStart(6)} ${'p99'.padStart(6)} ${'mean'.padStart(6)}`,
  );
  const latency: [string, string, number, string[]][] = [
    ['empty node:http server', 'empty', 0, []],
    ['relay, Kissmetrics answering at once', 'relay', 0, []],
    ['relay, Kissmetrics answering after 80 ms', 'relay', 80, []],
    ['relay with a spool, Kissmetrics after 80 ms', 'relay', 80, [join(spoolDir, 'latency')]],
  ];
  const medians: number[] = [];
  for (const [name, kind, delayMs, extra] of latency) {
    await ask(sink.child, { type: 'reset', delayMs });
    const target = await start('target.ts', [kind, sinkUrl, ...extra]);
    await load(target.port, 'relay', 1, 1, offset + 20_000_000);
    const result = await load(
      target.port,
      'relay',
      1,
      Math.max(2, Math.round(SECONDS / 2)),
      offset,
    );
    offset += result.sent + 1;
    if (kind !== 'empty') await ask(target.child, { type: 'finish' });
    target.child.kill();
    medians.push(result.p50);
    console.log(
      `${name.padEnd(50)} ${result.p50.toFixed(2).padStart(6)} ${result.p99.toFixed(2).padStart(6)} ${result.average.toFixed(2).padStart(6)}`,
    );
  }
  console.log(
    `\nadded by the relay per request (median): ${(medians[1]! - medians[0]!).toFixed(2)} ms with Kissmetrics answering at once, ${(medians[2]! - medians[0]!).toFixed(2)} ms with it 80 ms away, ${(medians[3]! - medians[0]!).toFixed(2)} ms with a spool (the answer never waits for Kissmetrics)`,
  );
  sink.child.kill();
  rmSync(spoolDir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
