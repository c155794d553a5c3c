import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http } from 'msw';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type EmulatedEndpoint, startEmulatedEndpoint } from '../../test/emulated-endpoint.js';
import { exitOf, outputOf, spawnFixture } from '../../test/run-fixture.js';
import { createKissmetrics } from '../node/index.js';

let endpoint: EmulatedEndpoint;
beforeAll(async () => {
  endpoint = await startEmulatedEndpoint({ apiKeys: ['key'] });
});
afterAll(() => endpoint.close());

// The endpoint hangs: every request stays in flight, nothing is ever acknowledged.
const hang = [http.all('*', () => new Promise<never>(() => {}))];

async function waitFor(condition: () => boolean, limitMs: number) {
  const end = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('the child never got there');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('crash safety', () => {
  test('after kill -9 mid-stream, a new client on the spool delivers every tracked event exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmkit-crash-'));
    endpoint.server.use(hang);
    const child = spawnFixture('spool-writer', [dir, endpoint.url]);
    const output = outputOf(child);
    const reported = () => {
      const lines = output.text.split('\n').filter((line) => /^\d+$/.test(line));
      return lines.length === 0 ? 0 : Number(lines[lines.length - 1]);
    };
    const exited = exitOf(child, 60_000);
    await waitFor(() => reported() >= 1000 || output.text.includes('refused'), 30_000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(output.text).not.toContain('refused');
    const tracked = reported();
    // The dead process's lock is still there; the next client takes it over.
    expect(readFileSync(join(dir, 'lock', '1'), 'utf8')).toMatch(new RegExp(`^${child.pid} `));

    endpoint.km.reset();
    endpoint.server.use(endpoint.km.handlers);
    const km = createKissmetrics({ apiKey: 'key', endpoint: endpoint.url, spool: { dir } });
    const warnings: unknown[] = [];
    km.on('warning', (warning) => warnings.push(warning));
    const result = await km.flush();
    await km.close();

    // Every track() that returned before the kill is delivered; a batch the child had not yet
    // reported may be there too (it was journaled), but nothing beyond it.
    const time = Date.parse('2024-05-01T12:00:00Z') / 1000;
    const recorded = new Map<number, number>();
    for (const person of endpoint.km.people()) {
      for (const event of person.events) {
        const index = Number(event.name.slice('Event '.length));
        expect(person.identities).toEqual([`user-${index % 50}`]);
        expect(event.time).toBe(time);
        recorded.set(index, (recorded.get(index) ?? 0) + 1);
      }
    }
    for (let index = 0; index < tracked; index++) expect(recorded.get(index)).toBe(1);
    expect(Math.max(...recorded.keys())).toBeLessThan(tracked + 20);
    expect(result).toEqual({ delivered: recorded.size, failed: 0, dropped: 0 });
    // Exactly once: no request was sent twice, and Kissmetrics accepted each one.
    expect(endpoint.km.requests()).toHaveLength(recorded.size);
    expect(endpoint.km.requests().every((request) => request.status === 'accepted')).toBe(true);
    // A kill mid-write can leave a cut last line: skipped with a warning, never a crash.
    for (const warning of warnings) {
      expect(warning).toMatchObject({ code: 'spool_corrupt_line' });
    }
  }, 90_000);
});

describe('process exit', () => {
  test('a script that flushes and never calls close() exits on its own', async () => {
    endpoint.server.use(endpoint.km.handlers);
    endpoint.km.reset();
    const child = spawnFixture('exit-without-close', [endpoint.url, 'flush']);
    const output = outputOf(child);
    expect(await exitOf(child, 30_000)).toBe(0);
    expect(JSON.parse(output.text)).toEqual({ delivered: 3, failed: 0, dropped: 0 });
    expect(endpoint.km.person('bob')?.events).toHaveLength(3);
  }, 40_000);

  test('a script whose endpoint is down is not held open by retry timers', async () => {
    endpoint.km.faults.set('*', { rate: 1, failWith: 503 });
    const child = spawnFixture('exit-without-close', [endpoint.url, 'no-flush']);
    const output = outputOf(child);
    expect(await exitOf(child, 30_000)).toBe(0);
    expect(output.text).toBe('queued\n');
    endpoint.km.faults.clear();
  }, 40_000);
});
