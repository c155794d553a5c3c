import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createImportWriter } from './import-writer.js';

// 2024-05-01T12:00:00Z in Unix seconds: 2024-01-01 is 1,704,067,200; May 1 is 121 days later.
const T = 1_704_067_200 + 121 * 86_400 + 12 * 3600;
const timestamp = '2024-05-01T12:00:00Z';

function tempDir() {
  return mkdtempSync(join(tmpdir(), 'kmkit-import-'));
}

function linesOf(files: readonly string[]): string[] {
  return files.flatMap((file) => readFileSync(file, 'utf8').split('\n').filter(Boolean));
}

describe('the import writer', () => {
  test('writes one Kissmetrics JSON-import line per command: _p and _t, then _n or _p2, then properties', async () => {
    const dir = tempDir();
    const writer = createImportWriter({ dir });
    writer.write({
      type: 'track',
      userId: 'bob',
      event: 'Signed Up',
      timestamp,
      properties: { plan: 'pro', seats: 3 },
    });
    writer.write({ type: 'alias', userId: 'bob', previousId: 'anon-1', timestamp });
    writer.write({
      type: 'identify',
      userId: 'bob',
      traits: { email: 'bob@example.com' },
      timestamp,
    });
    const summary = await writer.close();
    expect(summary).toEqual({ files: [join(dir, 'kmkit-000001.json')], lines: 3 });
    expect(readFileSync(summary.files[0]!, 'utf8')).toBe(
      `{"_p":"bob","_t":${T},"_n":"Signed Up","plan":"pro","seats":3}\n` +
        `{"_p":"anon-1","_t":${T},"_p2":"bob"}\n` +
        `{"_p":"bob","_t":${T},"email":"bob@example.com"}\n`,
    );
  });

  test('maps like the HTTP client: mapping options apply and warnings come back', async () => {
    const dir = tempDir();
    const writer = createImportWriter({ dir, prefixProperties: true });
    const warnings = writer.write({
      type: 'track',
      userId: 'bob',
      event: 'Paid',
      timestamp,
      properties: { amount: 5, bad: Number.POSITIVE_INFINITY },
    });
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'non_finite_number', path: 'properties.bad' }),
    ]);
    const { files } = await writer.close();
    expect(linesOf(files)).toEqual([`{"_p":"bob","_t":${T},"_n":"Paid","Paid - amount":5}`]);
  });

  test('rotates by size: no file passes maxFileBytes, names sort in write order, no line is split', async () => {
    const dir = tempDir();
    const writer = createImportWriter({ dir, maxFileBytes: 300, prefix: 'backfill' });
    const expected: string[] = [];
    for (let i = 0; i < 20; i++) {
      writer.write({ type: 'track', userId: `u${i}`, event: 'Seen', timestamp, properties: { i } });
      expected.push(`{"_p":"u${i}","_t":${T},"_n":"Seen","i":${i}}`);
    }
    const { files, lines } = await writer.close();
    expect(lines).toBe(20);
    expect(files.length).toBeGreaterThan(2);
    expect(files.map((file) => basename(file))).toEqual(
      files.map((_, index) => `backfill-${String(index + 1).padStart(6, '0')}.json`),
    );
    expect([...files].sort()).toEqual(files);
    for (const file of files) expect(statSync(file).size).toBeLessThanOrEqual(300);
    expect(linesOf(files)).toEqual(expected);
  });

  test('a later run in the same directory numbers its files after the existing ones', async () => {
    const dir = tempDir();
    const first = createImportWriter({ dir, maxFileBytes: 60 });
    first.write({ type: 'track', userId: 'a', event: 'One', timestamp });
    first.write({ type: 'track', userId: 'a', event: 'Two', timestamp });
    expect((await first.close()).files.map((file) => basename(file))).toEqual([
      'kmkit-000001.json',
      'kmkit-000002.json',
    ]);
    const second = createImportWriter({ dir });
    second.write({ type: 'track', userId: 'a', event: 'Three', timestamp });
    expect((await second.close()).files.map((file) => basename(file))).toEqual([
      'kmkit-000003.json',
    ]);
  });

  test('a file is named .partial until it is complete, so an upload never takes half of one', async () => {
    const dir = tempDir();
    const writer = createImportWriter({ dir });
    writer.write({ type: 'track', userId: 'a', event: 'One', timestamp });
    expect(readdirSync(dir)).toEqual(['kmkit-000001.json.partial']);
    await writer.close();
    expect(readdirSync(dir)).toEqual(['kmkit-000001.json']);
  });

  test('an invalid message throws KmValidationError and writes nothing', async () => {
    const dir = tempDir();
    const writer = createImportWriter({ dir });
    expect(() => writer.write({ type: 'track', event: 'Anonymous' })).toThrow(
      expect.objectContaining({ name: 'KmValidationError', code: 'missing_identity' }),
    );
    expect(() => writer.write({ type: 'launch', userId: 'a' })).toThrow(
      expect.objectContaining({ code: 'unknown_type', path: 'type' }),
    );
    expect(await writer.close()).toEqual({ files: [], lines: 0 });
    expect(readdirSync(dir)).toEqual([]);
  });

  test('bad options are refused naming the option', () => {
    expect(() => createImportWriter({ dir: '' })).toThrow(expect.objectContaining({ path: 'dir' }));
    expect(() => createImportWriter({ dir: tempDir(), prefix: 'a/b' })).toThrow(
      expect.objectContaining({ path: 'prefix' }),
    );
    expect(() => createImportWriter({ dir: tempDir(), maxFileBytes: 0 })).toThrow(
      expect.objectContaining({ path: 'maxFileBytes' }),
    );
  });
});
