import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type KmValue, type KmWireCommand, toTrackingRequest } from '@kmkit/core';
import { createKissmetricsEmulator } from '@kmkit/msw';
import { createImportWriter } from '@kmkit/node';
import {
  type Call,
  type Check,
  callText,
  check,
  checkEqual,
  createFlowClock,
  type Flow,
  toCallWarnings,
  toPerson,
  toRequestView,
} from '../flow/index.js';
import { interceptedFetch } from '../network/index.js';

const API_KEY = 'playground-key';
const MAX_FILE_BYTES = 512;
const TINTIN = 'tintin@herge.com';
const HADDOCK = 'haddock@herge.com';
const CALCULUS = 'calculus@herge.com';
const VISITOR = 'visitor-5c2e9a';

const at = (iso: string) => ({ timestamp: iso });
const renewal = (userId: string, month: string) => ({
  type: 'track',
  userId,
  event: 'Renewed',
  properties: { plan: 'pro', revenue: 9.99 },
  ...at(`2024-${month}-10T08:00:00Z`),
});

/** Four months of history from an old system, as spec messages. */
const HISTORY: readonly Record<string, unknown>[] = [
  {
    type: 'identify',
    userId: TINTIN,
    anonymousId: VISITOR,
    traits: { name: 'Tintin', plan: 'free' },
    ...at('2024-01-03T10:00:00Z'),
  },
  { type: 'track', userId: TINTIN, event: 'Signed Up', ...at('2024-01-03T10:00:05Z') },
  {
    type: 'track',
    userId: TINTIN,
    event: 'Subscribed',
    properties: { plan: 'pro', revenue: 9.99 },
    ...at('2024-01-10T08:00:00Z'),
  },
  renewal(TINTIN, '02'),
  renewal(TINTIN, '03'),
  renewal(TINTIN, '04'),
  { type: 'identify', userId: HADDOCK, traits: { name: 'Haddock' }, ...at('2024-02-01T09:00:00Z') },
  { type: 'track', userId: HADDOCK, event: 'Signed Up', ...at('2024-02-01T09:00:04Z') },
  {
    type: 'track',
    userId: HADDOCK,
    event: 'Subscribed',
    properties: { plan: 'team', revenue: 29 },
    ...at('2024-02-02T11:30:00Z'),
  },
  { ...renewal(HADDOCK, '03'), properties: { plan: 'team', revenue: 29 } },
  { type: 'track', userId: HADDOCK, event: 'Cancelled', ...at('2024-04-01T17:45:00Z') },
  {
    type: 'track',
    userId: CALCULUS,
    event: 'Order Completed',
    properties: {
      order_id: 'B-77',
      total: 38,
      products: [
        { sku: 'SUB-1', name: 'Submarine kit', price: 30 },
        { sku: 'PEN-9', name: 'Pendulum', price: 8 },
      ],
    },
    ...at('2024-03-15T14:00:00Z'),
  },
];

/**
 * A JSON-import line read back as the command it stands for, the way Kissmetrics' importer reads
 * the documented format: `_p` and `_t`, then `_p2` (an alias), `_n` (an event) or properties.
 */
function importedCommand(line: Record<string, KmValue>): KmWireCommand {
  const { _p, _t, _n, _p2, ...properties } = line;
  const person = String(_p);
  const time = Number(_t);
  if (_p2 !== undefined) return { type: 'alias', person, alias: String(_p2), time };
  if (_n !== undefined) return { type: 'record', person, event: String(_n), time, properties };
  return { type: 'set', person, time, properties };
}

/** Flow 8: a backfill written as Kissmetrics JSON-import files, then read back. */
export const backfill: Flow = {
  name: 'backfill',
  title: 'A backfill written as Kissmetrics JSON-import files',
  async run(context) {
    const dir = join(context.workDir, 'km-import');
    const writer = createImportWriter({ dir, prefix: 'backfill', maxFileBytes: MAX_FILE_BYTES });
    const calls: Call[] = HISTORY.map((message) => {
      const warnings = writer.write(message);
      return {
        call: callText('writer.write', message),
        ...(warnings.length === 0 ? {} : { warnings: toCallWarnings(warnings) }),
      };
    });
    const summary = await writer.close();
    const files = summary.files.map((file) => basename(file));
    const leftInDir = readdirSync(dir).sort();
    const lines = summary.files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== ''),
    );
    const records = lines.map((line) => JSON.parse(line) as Record<string, KmValue>);
    const sizes = summary.files.map((file) => statSync(file).size);

    // Kissmetrics imports the files from S3, which no emulator serves: each line is replayed as
    // the tracking request with the same meaning, so the timelines show what the import gives.
    const clock = createFlowClock(context.start);
    const km = createKissmetricsEmulator({ apiKeys: [API_KEY], now: clock.now });
    context.network.use(...km.handlers);
    for (const record of records) {
      const request = toTrackingRequest(importedCommand(record), { apiKey: API_KEY });
      const response = await interceptedFetch(request.url, {
        method: request.method,
        ...(request.body === undefined ? {} : { body: request.body, headers: request.headers }),
      });
      await response.arrayBuffer();
    }
    const requests = km.requests().map(toRequestView);
    const people = km.people().map(toPerson);
    const seconds = (iso: string) => Date.parse(iso) / 1000;

    const checks: Check[] = [
      checkEqual(
        'files are numbered so that name order is write order, and none is left .partial',
        [files, leftInDir],
        [files.slice().sort(), files.slice().sort()],
      ),
      check(
        `the ${MAX_FILE_BYTES}-byte limit split the backfill into several files, each within it`,
        files.length > 1 && sizes.every((size) => size <= MAX_FILE_BYTES),
        `sizes ${sizes.join(', ')}`,
      ),
      // 2 identify (a set each, plus an alias for Tintin's visitor) + 10 tracks + 2 product rows.
      checkEqual(
        'one line per Kissmetrics command: 3 for the identifies, 10 tracks, 2 product rows',
        [summary.lines, lines.length],
        [15, 15],
      ),
      check(
        'every line has _p and _t in whole seconds, and _n, _p2 or properties',
        records.every(
          (record) =>
            typeof record._p === 'string' &&
            Number.isSafeInteger(record._t) &&
            Object.keys(record).length > 2,
        ),
        lines.find((line) => !/"_p":".+","_t":\d+,/.test(line)),
      ),
      checkEqual(
        "Tintin's identify is his traits, then his visitor id aliased to him",
        lines.slice(0, 2),
        [
          `{"_p":"${TINTIN}","_t":${seconds('2024-01-03T10:00:00Z')},"name":"Tintin","plan":"free"}`,
          `{"_p":"${VISITOR}","_t":${seconds('2024-01-03T10:00:00Z')},"_p2":"${TINTIN}"}`,
        ],
      ),
      checkEqual(
        'the order is one line and one per product at its time + 1 and + 2',
        records
          .filter((record) => record._p === CALCULUS)
          .map((record) => [record._n ?? record.sku, record._t]),
        [
          ['Order Completed', seconds('2024-03-15T14:00:00Z')],
          ['SUB-1', seconds('2024-03-15T14:00:00Z') + 1],
          ['PEN-9', seconds('2024-03-15T14:00:00Z') + 2],
        ],
      ),
      checkEqual(
        'read back, Kissmetrics shows three people; Tintin is one person with his visitor id',
        people.map((person) => person.identities),
        [[TINTIN, VISITOR], [HADDOCK], [CALCULUS]],
      ),
      checkEqual(
        "Tintin's timeline: signed up, subscribed, renewed in February, March and April, each with Billing Amount",
        people[0]?.events.map((event) => [
          event.time.slice(0, 10),
          event.name,
          event.properties['Billing Amount'],
        ]),
        [
          ['2024-01-03', 'Signed Up', undefined],
          ['2024-01-10', 'Subscribed', '9.99'],
          ['2024-02-10', 'Renewed', '9.99'],
          ['2024-03-10', 'Renewed', '9.99'],
          ['2024-04-10', 'Renewed', '9.99'],
        ],
      ),
      checkEqual('Kissmetrics rejected none of the lines', km.rejected(), []),
    ];
    return {
      sections: [
        {
          title: `${HISTORY.length} historic messages written as JSON-import files`,
          about:
            "@kmkit/node createImportWriter({ dir, prefix: 'backfill', maxFileBytes: 512 }); " +
            'then each line replayed into the emulated Kissmetrics as the request it stands for ' +
            '(Kissmetrics reads the files from S3, which is not emulated)',
          calls: [
            ...calls,
            {
              call: 'await writer.close()',
              result: `${summary.lines} lines in ${files.length} files`,
            },
          ],
          facts: [
            ...files.map((file, index) => ({
              label: file,
              value: `${sizes[index]} bytes, ${readFileSync(summary.files[index]!, 'utf8').split('\n').filter(Boolean).length} lines`,
            })),
            ...lines
              .slice(0, 4)
              .map((line, index) => ({ label: `line ${index + 1}`, value: line })),
          ],
          requests,
          people,
        },
      ],
      checks,
    };
  },
};
