import { describe, expect, test } from 'vitest';
import { addedLine, JOURNAL_HEADER, readJournal, settledLine } from './journal.js';

const get = { method: 'GET' as const, url: 'https://trk.kissmetrics.io/e?_k=k&_p=bob&_n=Seen' };
const post = {
  method: 'POST' as const,
  url: 'https://trk.kissmetrics.io/s',
  body: '_k=k&_p=bob&note=a%0Ab',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
};

describe('the spool journal', () => {
  test('replays added and settled records: what is left is what was never acknowledged', () => {
    const text =
      JOURNAL_HEADER +
      addedLine({ id: 'a-1', request: get, enqueuedAt: 1 }) +
      addedLine({ id: 'a-2', request: post, enqueuedAt: 2 }) +
      settledLine('a-1') +
      addedLine({ id: 'a-3', request: get, enqueuedAt: 3 });
    const { live, corrupt } = readJournal(text);
    expect(corrupt).toEqual([]);
    expect([...live.values()]).toEqual([
      { id: 'a-2', request: post, enqueuedAt: 2 },
      { id: 'a-3', request: get, enqueuedAt: 3 },
    ]);
  });

  test('one record is one line, whatever the body holds', () => {
    const line = addedLine({ id: 'x', request: { ...post, body: 'a\nb\r\nc' }, enqueuedAt: 5 });
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(readJournal(line).live.get('x')?.request.body).toBe('a\nb\r\nc');
  });

  test('a truncated last record (a crash mid-write) is skipped and reported', () => {
    const full = addedLine({ id: 'a-1', request: get, enqueuedAt: 1 });
    const cut = addedLine({ id: 'a-2', request: get, enqueuedAt: 2 }).slice(0, 30);
    const { live, corrupt } = readJournal(JOURNAL_HEADER + full + cut);
    expect([...live.keys()]).toEqual(['a-1']);
    expect(corrupt).toEqual([{ line: 3, reason: expect.stringMatching(/truncated/) }]);
  });

  test('garbage lines are skipped with their line numbers, and the rest is kept', () => {
    const text = [
      JOURNAL_HEADER.trimEnd(),
      'A a-1 {not json',
      'hello',
      'A a-2 {"enqueuedAt":1,"request":{"method":"PUT","url":"x"}}',
      'A  {"enqueuedAt":1}',
      'D ',
      addedLine({ id: 'a-3', request: get, enqueuedAt: 3 }).trimEnd(),
      '',
    ].join('\n');
    const { live, corrupt } = readJournal(text);
    expect([...live.keys()]).toEqual(['a-3']);
    expect(corrupt.map((item) => item.line)).toEqual([2, 3, 4, 5, 6]);
  });

  test('an empty journal holds nothing', () => {
    expect(readJournal('')).toEqual({ live: new Map(), corrupt: [] });
  });
});
