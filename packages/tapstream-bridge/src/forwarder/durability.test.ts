import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mountSmallTmpfs } from '@kmkit/test-faults';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { serveKissmetrics } from '../../test/loopback.js';
import { createTapstreamForwarder } from './create-tapstream-forwarder.js';

// A 200 is a promise to Tapstream, which never sends that postback again: every postback answered
// 200 must reach Kissmetrics, through an outage longer than every retry and through a full disk
// and a kill -9. A postback that cannot be kept is answered 503, which Tapstream can retry.
const API_KEY = 'km-key';
const SECRET = 'durable-secret';
const T = 1_714_564_800;
const packageDir = fileURLToPath(new URL('../..', import.meta.url));

let kissmetrics: Awaited<ReturnType<typeof serveKissmetrics>>;
beforeAll(async () => {
  kissmetrics = await serveKissmetrics({ apiKeys: [API_KEY] });
});
afterEach(() => {
  kissmetrics.km.faults.clear();
  kissmetrics.km.reset();
});
afterAll(() => kissmetrics.close());

function postbackPath(n: number): string {
  return `/tapstream?${new URLSearchParams({
    secret: SECRET,
    km_identity: `visitor-${n % 20}`,
    event: `app-event-${n}`,
    time: String(T),
  })}`;
}

/** Event numbers Kissmetrics recorded, each once per time it was counted. */
function recorded(): number[] {
  return kissmetrics.km
    .people()
    .flatMap((person) =>
      person.events.map((event) => Number(event.name.slice('app-event-'.length))),
    )
    .sort((a, b) => a - b);
}

async function sleep(ms: number) {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

describe('every postback answered 200 reaches Kissmetrics', () => {
  test('with a spool, through an outage longer than the whole retry schedule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmkit-outage-'));
    // Three attempts within about 0.2 s; the outage lasts 2 s.
    const forwarder = createTapstreamForwarder({
      apiKey: API_KEY,
      secret: SECRET,
      endpoint: kissmetrics.url,
      spool: { dir },
      retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
    });
    const failures: unknown[] = [];
    forwarder.client.on('error', (error) => failures.push(error));
    kissmetrics.km.faults.set('*', { rate: 1, failWith: 503 });
    const answered: number[] = [];
    for (let n = 0; n < 20; n++) {
      const response = await forwarder.handle(new Request(`http://forwarder${postbackPath(n)}`));
      if (response.status === 200) answered.push(n);
    }
    expect(answered).toHaveLength(20);
    await sleep(2000);
    // Kissmetrics was down for ten times the retry schedule, and nothing was given up.
    expect(failures).toEqual([]);
    expect(recorded()).toEqual([]);
    kissmetrics.km.faults.clear();
    const result = await forwarder.flush();
    await forwarder.close();
    expect(result).toMatchObject({ delivered: 20, failed: 0 });
    expect(recorded()).toEqual(answered);
    expect(kissmetrics.km.requests().every((request) => request.status === 'accepted')).toBe(true);
  }, 20_000);

  test('on a full disk: beyond what fits, 503; after kill -9, a larger disk and a restart, every 200 is delivered once', async (context) => {
    const disk = mountSmallTmpfs('64k');
    if ('refused' in disk) {
      context.skip(
        `cannot mount a 64 KiB tmpfs here (${disk.refused}); @kmkit/node's short-writes tests cover a full disk with an injected fs`,
      );
      return;
    }
    let child: ChildProcess | undefined;
    try {
      kissmetrics.km.faults.set('*', { rate: 1, failWith: 503 });
      child = spawn(
        process.execPath,
        [
          '--conditions=@kmkit/source',
          '--import',
          'tsx',
          'test/fixtures/forwarder-server.ts',
          disk.dir,
          kissmetrics.url,
          SECRET,
        ],
        { cwd: packageDir, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = new Promise((resolve) => child!.once('exit', (_, signal) => resolve(signal)));
      const port = await new Promise<string>((resolve) =>
        child!.stdout!.once('data', (chunk: Buffer) => resolve(String(chunk).trim())),
      );

      const answered: number[] = [];
      const refused: number[] = [];
      for (let n = 0; n < 700; n++) {
        const response = await fetch(`http://127.0.0.1:${port}${postbackPath(n)}`);
        if (response.status === 200) answered.push(n);
        else {
          expect(response.status).toBe(503);
          expect(response.headers.get('retry-after')).toBe('5');
          refused.push(n);
        }
        await response.arrayBuffer();
      }
      expect(answered.length).toBeGreaterThan(50);
      expect(refused.length).toBeGreaterThan(100);

      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      disk.resize('1m');
      kissmetrics.km.faults.clear();
      const restarted = createTapstreamForwarder({
        apiKey: API_KEY,
        secret: SECRET,
        endpoint: kissmetrics.url,
        spool: { dir: disk.dir },
      });
      const result = await restarted.flush();
      await restarted.close();
      expect(result).toMatchObject({ delivered: answered.length, failed: 0 });
      expect(recorded()).toEqual(answered);
      expect(kissmetrics.km.requests().every((request) => request.status === 'accepted')).toBe(
        true,
      );
    } finally {
      child?.kill('SIGKILL');
      disk.unmount();
    }
  }, 60_000);
});
