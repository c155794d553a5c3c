import type { BodyRead } from './answer-request.js';
import type { RelayRefusal } from './answers.js';

const decoder = new TextDecoder();

/** The declared `content-length`, or undefined when absent or unreadable. */
export function declaredLength(value: string | null | undefined): number | undefined {
  if (value == null || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

/** The refusal of a body over `limit` bytes. */
export function tooLarge(limit: number): RelayRefusal {
  return {
    reason: 'payload_too_large',
    message: `the body is over ${limit} bytes: a tracking request is a few kilobytes`,
  };
}

/** The refusal of a body that did not arrive in time. */
export function tooSlow(timeoutMs: number): RelayRefusal {
  return { reason: 'body_timeout', message: `the body did not arrive within ${timeoutMs} ms` };
}

/** Joins chunks and decodes them as UTF-8 (a bad sequence becomes U+FFFD; escapes are checked later). */
export function textOf(chunks: readonly Uint8Array[], size: number): string {
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decoder.decode(bytes);
}

/**
 * Reads a web `Request`'s body within `limit` bytes and `timeoutMs`: past the limit or the
 * deadline the stream is cancelled and the refusal returned. Never buffers past the limit.
 */
export async function readWebBody(
  request: Request,
  limit: number,
  timeoutMs: number,
): Promise<BodyRead> {
  const declared = declaredLength(request.headers.get('content-length'));
  if (declared !== undefined && declared > limit) return tooLarge(limit);
  if (!request.body) return { text: '' };
  const reader = request.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), late]);
      if (next === 'late') {
        await reader.cancel().catch(() => undefined);
        return tooSlow(timeoutMs);
      }
      if (next.done) break;
      size += next.value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        return tooLarge(limit);
      }
      chunks.push(next.value);
    }
  } catch {
    return 'gone';
  } finally {
    clearTimeout(timer);
  }
  return { text: textOf(chunks, size) };
}
