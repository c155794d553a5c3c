import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { StoredRequest } from '@kmkit/core';
import { afterAll, describe, expect, test } from 'vitest';
import { addedLine, JOURNAL_HEADER } from './journal.js';
import { openSpool } from './spool.js';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

interface Contender {
  readonly child: ChildProcess;
  send(line: string): void;
  next(): Promise<string>;
}

// A long-lived process running test/fixtures/spool-contender.ts, so one serves many trials.
async function startContender(): Promise<Contender> {
  const child = spawn(
    process.execPath,
    ['--conditions=@kmkit/source', '--import', 'tsx', 'test/fixtures/spool-contender.ts'],
    { cwd: packageDir, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  const contender: Contender = {
    child,
    send: (line) => child.stdin!.write(`${line}\n`),
    next: () =>
      lines.length > 0
        ? Promise.resolve(lines.shift()!)
        : new Promise<string>((resolve) => waiting.push(resolve)),
  };
  expect(await contender.next()).toBe('ready');
  return contender;
}

function killed(child: ChildProcess): Promise<unknown> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(undefined);
    else child.once('exit', resolve);
  });
}

function deadRecord(n: number): StoredRequest {
  return {
    id: `dead-${n}`,
    request: { method: 'GET', url: `https://trk.kissmetrics.io/e?_k=k&_p=dead&_n=${n}` },
    enqueuedAt: 1,
  };
}

const contenders: Contender[] = [];
afterAll(async () => {
  for (const { child } of contenders) child.kill('SIGKILL');
  await Promise.all(contenders.map(({ child }) => killed(child)));
});

describe('the spool lock under contention', () => {
  test('three processes starting at once on a stale lock: one holds it, and no accepted record is lost', async () => {
    const TRIALS = 40;
    const RECORDS = 20;
    // A pid whose process has exited: the holder a crash leaves in the lock.
    const dead = spawn(process.execPath, ['-e', '']);
    await killed(dead);
    contenders.push(...(await Promise.all([startContender(), startContender(), startContender()])));

    const holdersPerTrial: number[] = [];
    const lost: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir = mkdtempSync(join(tmpdir(), 'kmkit-lock-race-'));
      mkdirSync(join(dir, 'lock'));
      writeFileSync(join(dir, 'lock', '1'), `${dead.pid} -\n`);
      const left = [0, 1, 2, 3, 4].map(deadRecord);
      writeFileSync(join(dir, 'journal.log'), JOURNAL_HEADER + left.map(addedLine).join(''));

      // Every contender spins until the same instant, then opens the spool.
      const startAt = Date.now() + 30;
      for (const contender of contenders) contender.send(`open ${dir} ${startAt} ${RECORDS}`);
      const answers = await Promise.all(contenders.map((contender) => contender.next()));
      expect(answers.every((answer) => answer === 'held' || answer === 'locked spool_locked')).toBe(
        true,
      );
      const holders = contenders.filter((_, index) => answers[index] === 'held');
      holdersPerTrial.push(holders.length);

      // Every 20th trial the holder is killed (-9) instead of closing its spool; it is replaced.
      for (const holder of holders) {
        if (trial % 20 === 19) {
          holder.child.kill('SIGKILL');
          await killed(holder.child);
          contenders[contenders.indexOf(holder)] = await startContender();
        } else {
          holder.send('close');
          expect(await holder.next()).toBe('closed');
        }
      }

      // The restart: what the dead process left and what each holder wrote are all there.
      const restart = openSpool({ dir }, () => {});
      const ids = restart.store.load().map((entry) => entry.id);
      const expected = [
        ...left.map((entry) => entry.id),
        ...holders.flatMap(({ child }) =>
          Array.from({ length: RECORDS }, (_, n) => `${child.pid}-${n}`),
        ),
      ];
      for (const id of expected) if (!ids.includes(id)) lost.push(`trial ${trial}: ${id}`);
      expect(restart.stats().corruptLines).toBe(0);
      restart.close();
    }
    expect(holdersPerTrial).toEqual(Array(TRIALS).fill(1));
    expect(lost).toEqual([]);
  }, 60_000);
});
