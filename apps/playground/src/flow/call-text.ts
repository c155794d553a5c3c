const LONG_STRING = 48;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function quote(text: string): string {
  const shown = text.length > LONG_STRING ? `${text.slice(0, 12)}…` : text;
  const quoted = `'${shown.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  return text.length > LONG_STRING ? `${quoted} (${text.length} characters)` : quoted;
}

/**
 * A value as JavaScript source, the way a user would have written it in the call: single quotes,
 * unquoted keys where possible, long strings shortened with their length.
 */
export function jsLiteral(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'function') return '() => {}';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value !== 'object' || value === null) return String(value);
  if (value instanceof Date) return `new Date('${value.toISOString()}')`;
  if (Array.isArray(value)) return `[${value.map(jsLiteral).join(', ')}]`;
  const entries = Object.entries(value).map(
    ([key, item]) => `${IDENTIFIER.test(key) ? key : quote(key)}: ${jsLiteral(item)}`,
  );
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

/** A call as JavaScript source: `km.track({ userId: 'bob', event: 'Paid' })`. */
export function callText(callee: string, ...args: readonly unknown[]): string {
  return `${callee}(${args.map(jsLiteral).join(', ')})`;
}
