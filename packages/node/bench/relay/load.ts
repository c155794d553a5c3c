// The load in a process of its own, each request a distinct event (its own name), against `kind`
// (relay, forwarder or empty): autocannon with `connections` keep-alive connections for `seconds`;
// with one connection, a sequential loop timing each request to the microsecond (autocannon's
// latencies are whole milliseconds).
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';

const [origin, kind, connections, seconds, start] = process.argv.slice(2);
const T = 1_714_564_800;
let next = Number(start ?? 0);

function path(index: number): string {
  if (kind === 'forwarder') {
    return `/tapstream?secret=bench-secret&km_identity=visitor-${index % 1000}&event=ios-myapp-event-${index}&time=${T + (index % 3600)}&tracker=javascript_tracker`;
  }
  // What @kmkit/browser's cloud mode sends for track('Purchased N', { plan, amount }).
  return `/km/e?_k=bench-key&_p=visitor-${index % 1000}&_n=Purchased%20${index}&_t=${T + (index % 3600)}&_d=1&plan=pro&amount=19.99`;
}

interface Result {
  readonly duration: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly '2xx': number;
  readonly latency: { readonly p50: number; readonly p99: number; readonly average: number };
}

/** Requests one at a time for `seconds`, each timed. */
async function sequential(): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  let failed = 0;
  const until = performance.now() + Number(seconds) * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    const status = await new Promise<number>((resolve, reject) => {
      request(`${origin}${path(next++)}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
        .on('error', reject)
        .end();
    });
    times.push(performance.now() - started);
    if (status !== 200) failed++;
  }
  agent.destroy();
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    duration: Number(seconds),
    errors: 0,
    non2xx: failed,
    '2xx': times.length - failed,
    latency: {
      p50: at(0.5),
      p99: at(0.99),
      average: times.reduce((sum, time) => sum + time, 0) / times.length,
    },
  };
}

const run = autocannon as unknown as (options: object) => Promise<Result>;
const result =
  connections === '1'
    ? await sequential()
    : await run({
        url: origin,
        connections: Number(connections),
        duration: Number(seconds),
        requests: [{ setupRequest: (request: object) => ({ ...request, path: path(next++) }) }],
      });
process.stdout.write(
  `RESULT ${JSON.stringify({
    answered: result['2xx'],
    perSecond: result['2xx'] / result.duration,
    failed: result.errors + result.non2xx,
    p50: result.latency.p50,
    p99: result.latency.p99,
    average: result.latency.average,
    sent: next - Number(start ?? 0),
  })}\n`,
);
