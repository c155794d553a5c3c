/** Marks a body that went past the limit. */
export const TOO_LARGE = Symbol('too large');

/** The declared `content-length`, or undefined when absent or unreadable. */
export function declaredLength(value: string | null | undefined): number | undefined {
  if (value == null || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number(value);
}

/** Joins chunks into one array. */
export function concatChunks(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Marks a body that did not arrive in time. */
export const TIMED_OUT = Symbol('timed out');

/**
 * Reads a web stream up to `limit` bytes within `timeoutMs`; past the limit or the deadline,
 * cancels the stream and returns {@link TOO_LARGE} or {@link TIMED_OUT}.
 */
export async function readLimited(
  stream: ReadableStream<Uint8Array>,
  limit: number,
  timeoutMs: number,
): Promise<Uint8Array | typeof TOO_LARGE | typeof TIMED_OUT> {
  const reader = stream.getReader();
  let timedOut = false;
  // Cancelling ends the pending read, which then sees the flag.
  const timer = setTimeout(() => {
    timedOut = true;
    reader.cancel().catch(() => undefined);
  }, timeoutMs);
  timer.unref?.();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (timedOut) return TIMED_OUT;
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        return TOO_LARGE;
      }
      chunks.push(value);
    }
  } finally {
    clearTimeout(timer);
  }
  return concatChunks(chunks, size);
}

const decoder = new TextDecoder();

/** Decodes a body as UTF-8, invalid sequences replaced (never throws). */
export function bodyText(bytes: Uint8Array): string {
  return bytes.byteLength === 0 ? '' : decoder.decode(bytes);
}
