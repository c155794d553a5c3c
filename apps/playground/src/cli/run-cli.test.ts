import { beforeAll, describe, expect, it } from 'vitest';
import type { Flow, FlowResult, Person } from '../flow/index.js';
import type { JsonReport } from '../report/index.js';
import { type CliOutput, runCli } from './run-cli.js';

function capture() {
  const written = { stdout: '', stderr: '' };
  const output: CliOutput = {
    stdout: (text) => {
      written.stdout += text;
    },
    stderr: (text) => {
      written.stderr += text;
    },
    color: false,
  };
  return { written, output };
}

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('pnpm playground --json: every flow, in process', () => {
  let code: number;
  let stdout: string;
  let stderr: string;
  let report: JsonReport;
  const flow = (name: string) => report.flows.find((item) => item.name === name) as FlowResult;

  beforeAll(async () => {
    const { written, output } = capture();
    code = await runCli(['--json'], output);
    ({ stdout, stderr } = written);
    report = JSON.parse(stdout) as JsonReport;
  }, 120_000);

  it('runs the eight flows of the issue, the relay flow and the consent flow, in order, and every check of every flow holds', () => {
    expect(report.flows.map((item) => item.name)).toEqual([
      'rudderstack-examples',
      'ecommerce',
      'presets',
      'tapstream-web-to-app',
      'fault-storm',
      'crash',
      'bad-input',
      'backfill',
      'relay',
      'consent',
    ]);
    const failed = report.flows.flatMap((item) => [
      ...item.checks
        .filter((entry) => !entry.ok)
        .map((entry) => `${item.name}: ${entry.description}`),
      ...(item.error ? [`${item.name} threw: ${item.error}`] : []),
    ]);
    expect(failed).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.flows.every((item) => item.ok && item.checks.length > 3)).toBe(true);
    expect(code).toBe(0);
  });

  it('writes one JSON document and nothing else to stdout; progress goes to stderr', () => {
    expect(stdout.startsWith('{')).toBe(true);
    expect(stdout.trimEnd().endsWith('}')).toBe(true);
    expect(stderr).toContain('playground: running crash');
  });

  it('gives each person as identities, events with ISO 8601 UTC times, and properties', () => {
    const people: Person[] = report.flows.flatMap((item) => [...item.people]);
    expect(people.length).toBeGreaterThan(10);
    for (const person of people) {
      expect(Object.keys(person).sort()).toEqual(['events', 'identities', 'properties']);
      expect(person.identities.length).toBeGreaterThan(0);
      for (const event of person.events) {
        expect(Object.keys(event).sort()).toEqual(['name', 'properties', 'time']);
        expect(event.time).toMatch(ISO_SECONDS);
      }
    }
  });

  it('shows the RudderStack guide’s _kmq commands for device mode, and one person per mode', () => {
    const result = flow('rudderstack-examples');
    // As the guide lists them (seeds/001_9bd4513346047a91.txt).
    expect(result.sections[0]?.kmq).toEqual([
      ['identify', 'my-userID'],
      ['set', { name: 'Tintin', city: 'Brussels', country: 'Belgium', email: 'tintin@herge.com' }],
      [
        'record',
        'Viewed home page',
        { path: 'path', url: 'url', title: 'title', search: 'search', referrer: 'referrer' },
      ],
      ['record', 'Track me', { category: 'category', label: 'label', value: 'value' }],
      ['alias', 'my-new-userID', 'my-userID'],
    ]);
    expect(result.people).toHaveLength(2);
    for (const person of result.people) {
      expect(person.identities).toEqual(expect.arrayContaining(['my-userID', 'my-new-userID']));
      expect(person.events.map((event) => event.name)).toEqual(['Viewed home page', 'Track me']);
    }
  });

  it('lists the cloud-mode tracking requests with their decoded parameters', () => {
    const cloud = flow('rudderstack-examples').sections[1];
    expect(cloud?.requests?.map((request) => request.path)).toEqual(['/s', '/a', '/e', '/e', '/a']);
    expect(cloud?.requests?.[3]?.params).toMatchObject({
      _p: 'my-userID',
      _n: 'Track me',
      _t: String(Date.UTC(2024, 4, 1, 12, 2, 0) / 1000),
      _d: '1',
      category: 'category',
    });
  });

  it('ends the Tapstream flow with one person holding the web visitor, the app user and both sides’ events', () => {
    const [person, ...others] = flow('tapstream-web-to-app').people;
    expect(others).toEqual([]);
    expect(person?.identities).toHaveLength(2);
    expect(person?.identities[1]).toBe('tintin@herge.com');
    expect(person?.events.map((event) => event.name)).toEqual([
      'Viewed Pricing page',
      'ios-myapp-install',
      'Signed Up',
      'ios-myapp-open',
      'ios-myapp-purchase-pro',
    ]);
  });

  it('loses nothing in the fault storm: 120 events, each once', () => {
    const events = flow('fault-storm').people.flatMap((person) => person.events);
    expect(events).toHaveLength(120);
    expect(new Set(events.map((event) => event.properties.album)).size).toBe(120);
  });

  it('delivers what the killed process left in its spool, each event once', () => {
    const tickets = flow('crash').people.flatMap((person) =>
      person.events.map((event) => Number(event.properties.ticket)),
    );
    expect(tickets.length).toBeGreaterThanOrEqual(200);
    expect(new Set(tickets).size).toBe(tickets.length);
  });

  it('names the code and path of every refused field', () => {
    const refused = flow('bad-input').sections[0]?.calls.map((call) => [
      call.error?.code,
      call.error?.path,
    ]);
    expect(refused).toEqual([
      ['missing_identity', 'userId'],
      ['missing_event_name', 'event'],
      ['missing_previous_id', 'previousId'],
      ['missing_group_id', 'groupId'],
      ['name_too_long', 'userId'],
      ['invalid_json', ''],
      ['unknown_type', 'type'],
    ]);
  });

  it('reads the backfill files back as three people', () => {
    expect(flow('backfill').people.map((person) => person.identities[0])).toEqual([
      'tintin@herge.com',
      'haddock@herge.com',
      'calculus@herge.com',
    ]);
  });
});

describe('pnpm playground <flow>: text', () => {
  it('prints the calls, the _kmq commands, the requests and the timelines, then a summary line per flow', async () => {
    const { written, output } = capture();
    expect(await runCli(['rudderstack-examples', '7'], output)).toBe(0);
    const text = written.stdout;
    expect(text).toContain("rudderanalytics.identify('my-userID', { name: 'Tintin'");
    expect(text).toContain("['alias', 'my-new-userID', 'my-userID']");
    expect(text).toContain('GET  /e  _p=my-userID _n="Track me" _t=1714564920 _d=1');
    expect(text).toContain(
      '2024-05-01T12:02:00Z  Track me  category=category label=label value=value',
    );
    expect(text).toContain('→ throws KmValidationError missing_identity at userId');
    expect(text).toContain('! warning value_truncated at properties.title');
    const summary = text.slice(text.indexOf('━━ summary'));
    expect(summary.split('\n').filter((line) => line.startsWith('  ✓'))).toHaveLength(2);
    expect(summary).toContain('2 of 2 flows passed');
    expect(text).not.toContain('\u001b[');
  }, 60_000);
});

describe('arguments', () => {
  it('refuses an unknown flow with exit code 2, naming the flows there are', async () => {
    const { written, output } = capture();
    expect(await runCli(['no-such-flow'], output)).toBe(2);
    expect(written.stdout).toBe('');
    expect(written.stderr).toContain('no flow "no-such-flow"');
    expect(written.stderr).toContain('tapstream-web-to-app');
  });

  it('refuses an unknown option, and lists the flows with --list', async () => {
    const refused = capture();
    expect(await runCli(['--verbose'], refused.output)).toBe(2);
    const listed = capture();
    expect(await runCli(['--list'], listed.output)).toBe(0);
    expect(listed.written.stdout.split('\n').filter(Boolean)).toHaveLength(10);
  });
});

describe('a flow whose check fails', () => {
  const failing: Flow = {
    name: 'failing',
    title: 'a check that does not hold',
    run: async () => ({
      sections: [],
      checks: [{ description: 'two is three', ok: false, detail: 'got 2' }],
    }),
  };
  const throwing: Flow = {
    name: 'throwing',
    title: 'a flow that throws',
    run: async () => {
      throw new Error('the emulator is down');
    },
  };

  it('makes the run exit 1, and says which check and why', async () => {
    const { written, output } = capture();
    expect(await runCli([], output, [failing, throwing])).toBe(1);
    expect(written.stdout).toContain('✗ two is three — got 2');
    expect(written.stdout).toContain('the flow threw: Error: the emulator is down');
    expect(written.stdout).toContain('2 of 2 flows failed');
  });

  it('is reported as not ok in the JSON report', async () => {
    const { written, output } = capture();
    expect(await runCli(['--json', 'throwing'], output, [failing, throwing])).toBe(1);
    const report = JSON.parse(written.stdout) as JsonReport;
    expect(report.ok).toBe(false);
    expect(report.flows[0]).toMatchObject({ name: 'throwing', ok: false });
    expect(report.flows[0]?.error).toContain('the emulator is down');
  });
});
