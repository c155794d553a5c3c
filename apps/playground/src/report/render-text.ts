import { styleText } from 'node:util';
import { jsLiteral } from '../flow/call-text.js';
import type {
  Call,
  Check,
  FlowResult,
  FlowSection,
  Person,
  Table,
  TrackingRequestView,
} from '../flow/types.js';

/** How {@link renderFlowText} and {@link renderSummaryText} write. */
export interface TextStyle {
  /** Use terminal colours. */
  readonly color: boolean;
  /** Wrap lists of properties at this many columns. Default 100. */
  readonly width?: number;
}

type Style = 'bold' | 'dim' | 'green' | 'red' | 'yellow' | 'cyan';

// Long lists stay readable in a terminal; --json has everything.
const EVENTS_SHOWN = 10;
const PEOPLE_SHOWN = 6;
const REQUESTS_SHOWN = 16;
const VALUE_SHOWN = 40;

function painter(style: TextStyle) {
  return (format: Style, text: string) => (style.color ? styleText(format, text) : text);
}

function quoted(text: string): string {
  return /[\s"=]/.test(text) || text === '' ? JSON.stringify(text) : text;
}

function pair(key: string, value: string): string {
  const shown = value.length > VALUE_SHOWN ? `${value.slice(0, VALUE_SHOWN - 1)}…` : value;
  return `${quoted(key)}=${quoted(shown)}`;
}

/** `key=value` pairs wrapped at `width`, every line after the first indented by `indent`. */
function wrapPairs(pairs: readonly string[], first: string, indent: string, width: number) {
  const lines: string[] = [];
  let line = first;
  for (const item of pairs) {
    if (line.trim() !== '' && line.length + item.length + 1 > width && line !== first) {
      lines.push(line);
      line = indent;
    }
    line += line === indent || line === first ? item : ` ${item}`;
  }
  lines.push(line);
  return lines;
}

function more(count: number, what: string): string {
  return `… ${count} more ${what} (all of them in --json)`;
}

function requestLine(request: TrackingRequestView, paint: ReturnType<typeof painter>): string {
  const pairs = Object.entries(request.params)
    .filter(([key]) => key !== '_k')
    .map(([key, value]) => pair(key, value));
  const status =
    request.status === 'accepted'
      ? paint('green', request.status)
      : request.status === 'duplicate'
        ? paint('yellow', 'duplicate (counted once)')
        : paint('red', `${request.status}: ${request.reason ?? ''}`);
  return `${request.method.padEnd(4)} ${request.path}  ${pairs.join(' ')}  ${status}`;
}

/** A long line of code broken after `, ` to fit `width`, later lines indented by `indent`. */
function wrapCode(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let rest = text;
  let room = width;
  while (rest.length > room) {
    const cut = rest.lastIndexOf(', ', room);
    if (cut <= 0) break;
    lines.push(rest.slice(0, cut + 1));
    rest = rest.slice(cut + 2);
    room = width - indent.length;
  }
  lines.push(rest);
  return lines.map((line, index) => (index === 0 ? line : `${indent}${line}`));
}

function callLines(call: Call, paint: ReturnType<typeof painter>, width: number): string[] {
  const code = wrapCode(call.call, width, '    ');
  const last = code.length - 1;
  if (call.result) code[last] = `${code[last]}  ${paint('dim', `→ ${call.result}`)}`;
  const lines = code;
  if (call.error) {
    const where = [
      call.error.code,
      call.error.path === undefined ? undefined : `at ${call.error.path || '(root)'}`,
    ]
      .filter(Boolean)
      .join(' ');
    lines.push(
      `  ${paint('red', `→ throws ${call.error.name}${where ? ` ${where}` : ''}`)}: ${call.error.message}`,
    );
  }
  for (const warning of call.warnings ?? []) {
    lines.push(
      `  ${paint('yellow', `! warning ${warning.code} at ${warning.path}`)}: ${warning.message}`,
    );
  }
  return lines;
}

function tableLines(table: Table): string[] {
  const widths = table.columns.map((column, index) =>
    Math.max(column.length, ...table.rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index]!)))
      .join('  ');
  return [
    line(table.columns),
    line(widths.map((width) => '─'.repeat(width))),
    ...table.rows.map(line),
  ];
}

function personLines(person: Person, paint: ReturnType<typeof painter>, width: number): string[] {
  const lines = [`● ${paint('bold', person.identities.join('  ~  '))}`];
  const events = person.events;
  const shown = events.length > EVENTS_SHOWN + 2 ? events.slice(0, EVENTS_SHOWN) : events;
  for (const event of shown) {
    const pairs = Object.entries(event.properties).map(([key, value]) => pair(key, value));
    const first = `  ${paint('cyan', event.time)}  ${event.name}${pairs.length > 0 ? '  ' : ''}`;
    lines.push(...wrapPairs(pairs, first, ' '.repeat(26), width));
  }
  if (shown.length < events.length) lines.push(`  ${more(events.length - shown.length, 'events')}`);
  if (events.length === 0) lines.push('  (no events)');
  const properties = Object.entries(person.properties).map(([key, value]) => pair(key, value));
  if (properties.length > 0) {
    lines.push(
      ...wrapPairs(properties, `  ${paint('dim', 'properties')}  `, '              ', width),
    );
  }
  return lines;
}

function block(title: string, body: readonly string[], paint: ReturnType<typeof painter>) {
  return body.length === 0
    ? []
    : [`    ${paint('bold', title)}`, ...body.map((line) => `      ${line}`)];
}

function sectionLines(section: FlowSection, style: TextStyle): string[] {
  const paint = painter(style);
  const width = style.width ?? 100;
  const lines = [`  ${paint('bold', `▸ ${section.title}`)}`];
  if (section.about) lines.push(`    ${paint('dim', section.about)}`);
  lines.push(
    ...block(
      'calls',
      section.calls.flatMap((call) => callLines(call, paint, width - 6)),
      paint,
    ),
  );
  if (section.kmq) lines.push(...block('_kmq commands', section.kmq.map(jsLiteral), paint));
  if (section.requests) {
    const requests = section.requests;
    const shown =
      requests.length > REQUESTS_SHOWN + 2 ? requests.slice(0, REQUESTS_SHOWN) : requests;
    const body = shown.map((request) => requestLine(request, paint));
    if (shown.length < requests.length) body.push(more(requests.length - shown.length, 'requests'));
    lines.push(...block('tracking requests Kissmetrics received', body, paint));
  }
  if (section.exchanges && section.exchanges.length > 0) {
    lines.push(
      ...block(
        'other HTTP (Tapstream, the postback hook)',
        section.exchanges.map(
          (exchange) => `${exchange.method.padEnd(4)} ${exchange.url}  → ${exchange.status}`,
        ),
        paint,
      ),
    );
  }
  if (section.table) lines.push(...block('side by side', tableLines(section.table), paint));
  if (section.facts && section.facts.length > 0) {
    lines.push(
      ...block(
        'facts',
        section.facts.map((fact) => `${fact.label}: ${fact.value}`),
        paint,
      ),
    );
  }
  const people = section.people;
  const shownPeople = people.length > PEOPLE_SHOWN + 1 ? people.slice(0, PEOPLE_SHOWN) : people;
  const body = shownPeople.flatMap((person) => personLines(person, paint, width - 6));
  if (shownPeople.length < people.length)
    body.push(more(people.length - shownPeople.length, 'people'));
  // A section without requests or people (a comparison) has no Kissmetrics view of its own.
  if (body.length > 0 || section.requests) {
    lines.push(...block('what Kissmetrics shows', body.length > 0 ? body : ['(nobody)'], paint));
  }
  return lines;
}

function checkLine(item: Check, paint: ReturnType<typeof painter>): string {
  const mark = item.ok ? paint('green', '✓') : paint('red', '✗');
  return `    ${mark} ${item.description}${item.ok || !item.detail ? '' : paint('red', ` — ${item.detail}`)}`;
}

function passed(result: FlowResult): string {
  const held = result.checks.filter((item) => item.ok).length;
  return `${held}/${result.checks.length} checks`;
}

/** One flow as terminal text: each section's calls, wire traffic and people, then the checks. */
export function renderFlowText(result: FlowResult, index: number, style: TextStyle): string {
  const paint = painter(style);
  const lines = [
    `${paint('bold', `━━ ${index}. ${result.name}`)}  ${result.title}`,
    '',
    ...result.sections.flatMap((section) => [...sectionLines(section, style), '']),
    `  ${paint('bold', 'checks')}`,
    ...result.checks.map((item) => checkLine(item, paint)),
  ];
  if (result.error) lines.push(`    ${paint('red', `✗ the flow threw: ${result.error}`)}`);
  const mark = result.ok ? paint('green', '✓') : paint('red', '✗');
  lines.push(`  ${mark} ${result.name}: ${passed(result)} held`, '');
  return `${lines.join('\n')}\n`;
}

/** The closing summary: one line per flow, then the total. */
export function renderSummaryText(results: readonly FlowResult[], style: TextStyle): string {
  const paint = painter(style);
  const width = Math.max(...results.map((result) => result.name.length));
  const lines = [paint('bold', '━━ summary')];
  for (const result of results) {
    const mark = result.ok ? paint('green', '✓') : paint('red', '✗');
    const requests = result.sections.reduce(
      (sum, section) => sum + (section.requests?.length ?? 0),
      0,
    );
    const people = result.people.length;
    lines.push(
      `  ${mark} ${result.name.padEnd(width)}  ${passed(result).padEnd(12)}  ` +
        `${people} ${people === 1 ? 'person' : 'people'}, ` +
        `${requests} tracking request${requests === 1 ? '' : 's'}` +
        `${result.error ? paint('red', '  (threw)') : ''}`,
    );
  }
  const ok = results.filter((result) => result.ok).length;
  lines.push(
    `  ${ok === results.length ? paint('green', `${ok} of ${results.length} flows passed`) : paint('red', `${results.length - ok} of ${results.length} flows failed`)}`,
  );
  return `${lines.join('\n')}\n`;
}
