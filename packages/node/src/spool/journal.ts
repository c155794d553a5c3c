import type { StoredRequest, TrackingRequest } from '@kmkit/core';

/**
 * The spool's journal format, one record a line:
 *
 * - `# kmkit-spool 1`: the header, naming the format version;
 * - `A <id> <json>`: a request was queued (`{"enqueuedAt":..., "request":{method,url,body?,headers?}}`);
 * - `D <id>`: the request with that id was settled (delivered or failed for good).
 *
 * Ids never contain spaces or newlines, and the JSON escapes newlines, so a line is a record.
 */
export const JOURNAL_HEADER = '# kmkit-spool 1\n';

/** The journal line that records a queued request. */
export function addedLine(entry: StoredRequest): string {
  const { request } = entry;
  const body: { method: string; url: string; body?: string; headers?: TrackingRequest['headers'] } =
    { method: request.method, url: request.url };
  if (request.body !== undefined) body.body = request.body;
  if (request.headers !== undefined) body.headers = request.headers;
  return `A ${entry.id} ${JSON.stringify({ enqueuedAt: entry.enqueuedAt, request: body })}\n`;
}

/** The journal line that acknowledges a settled request. */
export function settledLine(id: string): string {
  return `D ${id}\n`;
}

/** A line of the journal that could not be read, and why. */
export interface CorruptLine {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly reason: string;
}

/** What a journal holds. */
export interface JournalContents {
  /** Requests added and not acknowledged, in the order they were added. */
  readonly live: Map<string, StoredRequest>;
  /** Lines skipped: unreadable, or a truncated last line (a crash in the middle of a write). */
  readonly corrupt: CorruptLine[];
}

function isStringRecord(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((item) => typeof item === 'string');
}

function readRequest(value: unknown): TrackingRequest | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { method, url, body, headers } = value as Record<string, unknown>;
  if ((method !== 'GET' && method !== 'POST') || typeof url !== 'string') return undefined;
  if (body !== undefined && typeof body !== 'string') return undefined;
  if (headers !== undefined && !isStringRecord(headers)) return undefined;
  return {
    method,
    url,
    ...(body === undefined ? {} : { body }),
    ...(headers === undefined ? {} : { headers }),
  };
}

function readAdded(id: string, json: string): StoredRequest | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return 'the JSON of the request cannot be parsed';
  }
  const enqueuedAt = (parsed as { enqueuedAt?: unknown } | null)?.enqueuedAt;
  const request = readRequest((parsed as { request?: unknown } | null)?.request);
  if (typeof enqueuedAt !== 'number' || !Number.isFinite(enqueuedAt) || !request) {
    return 'the request is not a { enqueuedAt, request: { method, url } } record';
  }
  return { id, request, enqueuedAt };
}

/**
 * Reads a journal's text: replays `A` and `D` records and reports every line it had to skip
 * instead of throwing, so a damaged journal still gives back all it can.
 */
export function readJournal(text: string): JournalContents {
  const live = new Map<string, StoredRequest>();
  const corrupt: CorruptLine[] = [];
  const lines = text.split('\n');
  // Text after the last newline is a record whose write was cut short.
  const tail = lines.pop() ?? '';
  lines.forEach((line, index) => {
    const number = index + 1;
    if (line === '' || line.startsWith('#')) return;
    const kind = line.slice(0, 2);
    if (kind === 'D ') {
      const id = line.slice(2);
      if (id === '' || id.includes(' ')) corrupt.push({ line: number, reason: 'bad D record' });
      else live.delete(id);
      return;
    }
    if (kind === 'A ') {
      const space = line.indexOf(' ', 2);
      const id = space === -1 ? '' : line.slice(2, space);
      if (id === '') {
        corrupt.push({ line: number, reason: 'an A record without an id' });
        return;
      }
      const entry = readAdded(id, line.slice(space + 1));
      if (typeof entry === 'string') corrupt.push({ line: number, reason: entry });
      else live.set(id, entry);
      return;
    }
    corrupt.push({ line: number, reason: 'not an A or D record' });
  });
  if (tail !== '') {
    corrupt.push({ line: lines.length + 1, reason: 'truncated: the last record has no newline' });
  }
  return { live, corrupt };
}
