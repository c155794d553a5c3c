import { closeSync, mkdirSync, openSync, readdirSync, renameSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  KmValidationError,
  type KmWarning,
  type SpecMessage,
  type SpecMessageType,
  toImportRecord,
} from '@kmkit/core';
import { createMessagePreparer, type MessageMappingOptions } from '../pipeline/index.js';

/** Options of {@link createImportWriter}. */
export interface ImportWriterOptions extends MessageMappingOptions {
  /** Where the files go; created when missing. */
  readonly dir: string;
  /**
   * A file is closed and the next one started before it would pass this size. Default 64 MiB.
   * Kissmetrics' S3 import reads one file an hour, so pick a size that an hour's processing takes.
   */
  readonly maxFileBytes?: number;
  /** File names are `<prefix>-000001.json`, `<prefix>-000002.json`... Default `kmkit`. */
  readonly prefix?: string;
  /** The clock (ms) for messages without a timestamp. Default `Date.now`. */
  readonly now?: () => number;
}

/** What an import writer produced. */
export interface ImportSummary {
  /** The files written, in order (their names sort in the same order). */
  readonly files: readonly string[];
  /** Lines written, one per Kissmetrics command. */
  readonly lines: number;
}

/** Writes Kissmetrics JSON-import files. */
export interface ImportWriter {
  /**
   * Parses and maps a spec message (its `type` says which kind) and appends one line per command.
   * Returns what the mapping changed or left out.
   *
   * @throws {KmValidationError} for a message that cannot be imported; nothing of it is written.
   */
  write(message: SpecMessage | Record<string, unknown>): readonly KmWarning[];
  /** Writes what is buffered and closes the current file. Idempotent. */
  close(): Promise<ImportSummary>;
}

const TYPES: ReadonlySet<string> = new Set<SpecMessageType>([
  'identify',
  'track',
  'page',
  'screen',
  'alias',
  'group',
]);
const BUFFER_BYTES = 256 * 1024;
const SEQUENCE_DIGITS = 6;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function invalid(path: string, message: string): KmValidationError {
  return new KmValidationError('invalid_option', path, message);
}

/**
 * Creates a writer of Kissmetrics bulk-import files: each message goes through the same parsing and
 * mapping as the HTTP client (cloud mode), and each command becomes one NDJSON line
 * (`{"_p":"bob","_t":1700000000,"_n":"Signed Up",...}`). Files are rotated by size and numbered so
 * that name order is write order, also across runs into the same directory; a file being written
 * is named `.json.partial` until it is complete, so an upload never takes half a file.
 */
export function createImportWriter(options: ImportWriterOptions): ImportWriter {
  if (typeof options?.dir !== 'string' || options.dir === '') {
    throw invalid('dir', 'dir is required: the directory the import files go to');
  }
  const prefix = options.prefix ?? 'kmkit';
  if (!/^[A-Za-z0-9._-]+$/.test(prefix)) {
    throw invalid('prefix', `prefix "${prefix}" must be letters, digits, ".", "_" or "-"`);
  }
  const maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
  if (!(maxFileBytes > 0)) throw invalid('maxFileBytes', 'maxFileBytes must be a positive number');
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true });

  const { dir: _dir, maxFileBytes: _max, prefix: _prefix, now, ...mapping } = options;
  const prepare = createMessagePreparer(mapping, now ?? Date.now);

  // Continue after the highest number already there, so name order stays write order.
  const pattern = new RegExp(`^${escapeRegExp(prefix)}-(\\d+)\\.json(\\.partial)?$`);
  let sequence = 0;
  for (const name of readdirSync(dir)) {
    const match = pattern.exec(name);
    if (match) sequence = Math.max(sequence, Number(match[1]));
  }

  const files: string[] = [];
  let lines = 0;
  let fd = -1;
  let current = '';
  let fileBytes = 0;
  let buffer = '';
  let closed = false;

  function flushBuffer() {
    if (buffer === '') return;
    writeSync(fd, buffer);
    buffer = '';
  }

  function finishFile() {
    if (fd === -1) return;
    flushBuffer();
    closeSync(fd);
    fd = -1;
    renameSync(`${current}.partial`, current);
    files.push(current);
  }

  function startFile() {
    sequence++;
    current = join(dir, `${prefix}-${String(sequence).padStart(SEQUENCE_DIGITS, '0')}.json`);
    fd = openSync(`${current}.partial`, 'wx');
    fileBytes = 0;
  }

  function append(line: string) {
    const bytes = Buffer.byteLength(line);
    // A line never straddles two files; one longer than the limit gets a file of its own.
    if (fd !== -1 && fileBytes > 0 && fileBytes + bytes > maxFileBytes) finishFile();
    if (fd === -1) startFile();
    buffer += line;
    fileBytes += bytes;
    lines++;
    if (buffer.length >= BUFFER_BYTES) flushBuffer();
  }

  return {
    write(message) {
      if (closed) throw invalid('write', 'the import writer is closed: create a new one');
      const type = (message as { type?: unknown } | null)?.type;
      if (typeof type !== 'string' || !TYPES.has(type)) {
        throw new KmValidationError(
          'unknown_type',
          'type',
          `type ${JSON.stringify(type)} is not one of identify, track, page, screen, alias, group`,
        );
      }
      const { commands, warnings } = prepare(type as SpecMessageType, message);
      // Encode every line first: a message is written whole or not at all.
      const encoded = commands.map((command) => `${toImportRecord(command)}\n`);
      for (const line of encoded) append(line);
      return warnings;
    },
    async close() {
      if (!closed) {
        closed = true;
        finishFile();
      }
      return { files: [...files], lines };
    },
  };
}
