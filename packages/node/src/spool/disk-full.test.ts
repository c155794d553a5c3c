// The spool on a real 64 KiB filesystem (a Linux tmpfs): what a full disk does to each write,
// short writes included, without any stand-in. Where mounting is not allowed the test skips and
// says why; short-writes.test.ts covers the same rules with an injected fs everywhere.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountSmallTmpfs } from '@kmkit/test-faults';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type EmulatedEndpoint, startEmulatedEndpoint } from '../../test/emulated-endpoint.js';
import { fullDiskFs } from '../../test/full-disk-fs.js';
import { exitOf, outputOf, spawnFixture } from '../../test/run-fixture.js';
import { createClient } from '../client/index.js';
import { createKissmetrics } from '../node/index.js';
import { createNodeTransport } from '../transport/index.js';
import { openSpool } from './spool.js';

let endpoint: EmulatedEndpoint;
beforeAll(async () => {
  endpoint = await startEmulatedEndpoint({ apiKeys: ['key'] });
});
afterAll(() => endpoint.close());

async function waitFor(condition: () => boolean, limitMs: number) {
  const end = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('the child never got there');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the spool on a full disk', () => {
  test('events that do not fit are refused one by one; after kill -9, a larger disk and a restart, every accepted one is delivered once', async (context) => {
    const disk = mountSmallTmpfs('64k');
    if ('refused' in disk) {
      context.skip(
        `cannot mount a 64 KiB tmpfs here (${disk.refused}); short-writes.test.ts covers this with an injected fs`,
      );
      return;
    }
    try {
      endpoint.km.reset();
      endpoint.km.faults.set('*', { rate: 1, failWith: 503 });
      const child = spawnFixture('full-disk-writer', [disk.dir, endpoint.url, '800']);
      const output = outputOf(child);
      const exited = exitOf(child, 60_000);
      await waitFor(() => output.text.includes('done\n'), 30_000);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      const lines = output.text.trim().split('\n').slice(0, -1);
      const accepted = lines
        .filter((line) => line.endsWith(' accepted'))
        .map((line) => Number.parseInt(line, 10));
      const refused = lines.filter((line) => !line.endsWith(' accepted'));
      // The disk took some, then refused each further event with the file system's reason.
      expect(accepted.length).toBeGreaterThan(50);
      expect(refused.length).toBeGreaterThan(100);
      expect(new Set(refused.map((line) => line.split(' ').slice(1).join(' ')))).toEqual(
        new Set(['refused spool_failed ENOSPC']),
      );

      // A larger disk under the same spool, Kissmetrics back, and a new process (this one).
      disk.resize('1m');
      endpoint.km.faults.clear();
      const km = createKissmetrics({
        apiKey: 'key',
        endpoint: endpoint.url,
        spool: { dir: disk.dir },
      });
      const result = await km.flush();
      await km.close();

      const delivered = endpoint.km
        .people()
        .flatMap((person) =>
          person.events.map((event) => Number(event.name.slice('Event '.length))),
        )
        .sort((a, b) => a - b);
      expect(delivered).toEqual(accepted);
      expect(result).toMatchObject({ delivered: accepted.length, failed: 0 });
      expect(endpoint.km.requests().filter((request) => request.status !== 'accepted')).toEqual([]);
    } finally {
      disk.unmount();
    }
  }, 90_000);

  test('a client whose spool writes short refuses the event in track(), with a spool_failed drop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmkit-short-client-'));
    const state = { free: Number.POSITIVE_INFINITY };
    const spool = openSpool({ dir }, () => {}, fullDiskFs(state));
    const km = createClient(
      { apiKey: 'key', endpoint: endpoint.url },
      { transport: createNodeTransport({ connections: 4 }), spool },
    );
    const drops: unknown[] = [];
    km.on('drop', (drop) => drops.push(drop));
    endpoint.km.reset();
    expect(km.track({ userId: 'bob', event: 'Kept' }).accepted).toBe(true);
    state.free = 40;
    expect(km.track({ userId: 'bob', event: 'Cut short' })).toMatchObject({
      accepted: false,
      queued: 0,
    });
    expect(drops).toEqual([
      expect.objectContaining({
        reason: 'spool_failed',
        error: expect.objectContaining({
          code: 'spool_write_failed',
          cause: expect.objectContaining({ code: 'ENOSPC' }),
        }),
      }),
    ]);
    state.free = Number.POSITIVE_INFINITY;
    expect(km.track({ userId: 'bob', event: 'Kept again' }).accepted).toBe(true);
    expect(await km.close()).toMatchObject({ delivered: 2, failed: 0 });
    expect(endpoint.km.person('bob')?.events.map((event) => event.name)).toEqual([
      'Kept',
      'Kept again',
    ]);
  });
});
