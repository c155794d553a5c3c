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

/** Reads a web stream up to `limit` bytes; past it, cancels the stream and returns {@link TOO_LARGE}. */
export async function readLimited(
  stream: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array | typeof TOO_LARGE> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return TOO_LARGE;
    }
    chunks.push(value);
  }
  return concatChunks(chunks, size);
}

const decoder = new TextDecoder();

/** Decodes a body as UTF-8, invalid sequences replaced (never throws). */
export function bodyText(bytes: Uint8Array): string {
  return bytes.byteLength === 0 ? '' : decoder.decode(bytes);
}
