// `pnpm bench`: postbacks per second through forwarder.listener on loopback, against an empty
// node:http server (the ceiling) measured in the same run, and handle() called in-process. Each
// server runs in a process of its own; Kissmetrics is a sink process that counts distinct events.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTapstreamForwarder } from '../src/server/index.js';

const POSTBACKS = Number(process.env.BENCH_POSTBACKS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const WARM_UP = 2000;
const here = fileURLToPath(new URL('.', import.meta.url));
const SOURCE = ['--conditions=@kmkit/source', '--import', 'tsx'];
const T = 1_714_564_800;

interface Counts {
  readonly requests: number;
  readonly distinct: number;
}

interface Finish {
  readonly stats: { readonly forwarded: number };
  readonly client: {
    readonly delivered: number;
    readonly failed: number;
    readonly dropped: number;
  };
  readonly flushSeconds: number;
}

function start(
  script: string,
  args: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(`${here}${script}`, args, { execArgv: SOURCE, stdio: 'inherit' });
  return new Promise((resolve) => {
    child.once('message', (message: { port: number }) => resolve({ child, port: message.port }));
  });
}

function ask<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as T));
    child.send({ type });
  });
}

/** Postback number `index`: its own event name, so every one is a distinct Kissmetrics event. */
function path(index: number): string {
  return `/tapstream?secret=bench-secret&km_identity=visitor-${index % 1000}%2Bab%3D&event=ios-myapp-event-${index}&time=${T + (index % 3600)}&tracker=javascript_tracker`;
}

/** Sends `count` postbacks over `CONCURRENCY` keep-alive connections. */
async function load(port: number, count: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: path(index), agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { seconds, statuses };
}

const fmt = (value: number) => Math.round(value).toLocaleString('en-US');

async function main() {
  const sink = await start('sink.ts');
  const sinkUrl = `http://127.0.0.1:${sink.port}`;

  const empty = await start('postback-server.ts', ['empty']);
  await load(empty.port, WARM_UP);
  const ceiling = await load(empty.port, POSTBACKS);
  await ask(empty.child, 'finish');
  empty.child.kill();

  const server = await start('postback-server.ts', ['forwarder', sinkUrl]);
  await load(server.port, WARM_UP); // the first 2,000 postbacks, sent again below
  await ask(server.child, 'flush');
  const listener = await load(server.port, POSTBACKS);
  const finish = await ask<Finish>(server.child, 'finish');
  server.child.kill();
  const listenerSink = await ask<Counts>(sink.child, 'counts');

  // The same through a spool on this machine's disk. Every 200 waits for its record to be on disk
  // either way: 'interval' (the default) shares one fdatasync among the postbacks of an event-loop
  // turn (group commit), 'always' syncs each record as it is written.
  const spooled: [string, number][] = [];
  for (const fsync of ['always', 'interval']) {
    const dir = mkdtempSync(join(tmpdir(), 'kmkit-bench-spool-'));
    const spoolServer = await start('postback-server.ts', ['forwarder', sinkUrl, dir, fsync]);
    await load(spoolServer.port, WARM_UP);
    await ask(spoolServer.child, 'flush');
    const run = await load(spoolServer.port, POSTBACKS);
    await ask<Finish>(spoolServer.child, 'finish');
    spoolServer.child.kill();
    rmSync(dir, { recursive: true, force: true });
    spooled.push([`forwarder.listener, spool fsync '${fsync}': answered`, run.seconds]);
  }

  // handle() in-process: the cost of a postback without an HTTP server in front.
  await ask(sink.child, 'reset');
  const inProcess = createTapstreamForwarder({
    apiKey: 'bench-key',
    secret: 'bench-secret',
    endpoint: sinkUrl,
    maxQueueLength: 1_000_000,
    concurrency: 64,
  });
  const started = performance.now();
  for (let index = 0; index < POSTBACKS; index++) {
    const response = await inProcess.handle(new Request(`https://hooks.example.com${path(index)}`));
    await response.arrayBuffer();
  }
  const handleSeconds = (performance.now() - started) / 1000;
  await inProcess.flush();
  const handleDelivered = (performance.now() - started) / 1000;
  const handleStats = inProcess.stats();
  await inProcess.close();
  const handleSink = await ask<Counts>(sink.child, 'counts');
  sink.child.kill();

  const rows: [string, number][] = [
    ['empty node:http server (the ceiling)', ceiling.seconds],
    ['forwarder.listener: answered', listener.seconds],
    ['forwarder.listener: delivered', listener.seconds + finish.flushSeconds],
    ...spooled,
    ['forwarder.handle() in-process: answered', handleSeconds],
    ['forwarder.handle() in-process: delivered', handleDelivered],
  ];
  console.log(
    `\n@kmkit/tapstream-bridge: ${fmt(POSTBACKS)} postbacks, ${CONCURRENCY} connections, loopback\n`,
  );
  for (const [name, seconds] of rows) {
    console.log(
      `${name.padEnd(42)} ${fmt(POSTBACKS / seconds).padStart(8)} postbacks/s  (${seconds.toFixed(2)} s)`,
    );
  }
  console.log(
    `\nlistener answered at ${(ceiling.seconds / listener.seconds).toFixed(2)} x the empty server's rate; with a spool: ${spooled.map(([name, seconds]) => `${name.includes("'always'") ? 'always' : 'interval'} ${(listener.seconds / seconds).toFixed(2)} x`).join(', ')} the rate without`,
  );
  console.log(
    `listener answers: ${[...listener.statuses].map(([status, count]) => `${status} x ${fmt(count)}`).join(', ')}; client: delivered ${fmt(finish.client.delivered)}, failed ${finish.client.failed}, dropped ${finish.client.dropped}`,
  );
  console.log(
    `sink after the listener runs: ${fmt(listenerSink.requests)} requests, ${fmt(listenerSink.distinct)} distinct events (${fmt(POSTBACKS)} expected: the warm-up repeated the first ${fmt(WARM_UP)})`,
  );
  console.log(
    `sink after handle(): ${fmt(handleSink.requests)} requests, ${fmt(handleSink.distinct)} distinct events; ${fmt(handleStats.forwarded)} forwarded`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
