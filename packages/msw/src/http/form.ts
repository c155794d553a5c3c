/**
 * The parameters of a request: its query, then its form body (when it has one), decoded with form
 * rules (`+` is a space), in wire order.
 */
export async function readRequestParams(request: Request): Promise<[string, string][]> {
  const pairs = [...new URL(request.url).searchParams];
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    pairs.push(...new URLSearchParams(await request.text()));
  }
  return pairs;
}

/** `decodeURIComponent`, or undefined for a malformed escape (which a server answers, not throws). */
export function decodeComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
