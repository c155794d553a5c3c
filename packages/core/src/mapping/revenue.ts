// Currency symbols (Unicode category Sc) and whitespace carry no amount: "$ 19.99", "19,99 €".
const NOT_AMOUNT = /[\s\p{Sc}]/gu;
// Digits with an optional sign and decimals; "," only as a thousands separator (1,234,567.89).
const AMOUNT = /^[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)$/;
const THOUSANDS = /,/g;

// ASCII text (the usual "$19.99") is scanned; other text goes through the Unicode regex.
function withoutCurrency(value: string): string {
  let text = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 127) return value.replace(NOT_AMOUNT, '');
    if (code !== 36 /* $ */ && code !== 32 && !(code >= 9 && code <= 13)) {
      text += value[i];
    }
  }
  return text;
}

/**
 * Reads a revenue amount: a finite number, or text such as `"$19.99"`, `"1,299.00"`, `"-5"`
 * (currency symbols and whitespace removed; `,` accepted only as a thousands separator, so a
 * decimal comma such as `"19,99"` is refused rather than misread). `0` and negative amounts
 * (refunds) are amounts. Returns `undefined` when `value` is not an amount.
 */
export function parseRevenue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') {
    const amount = Number(value);
    return Number.isFinite(amount) ? amount : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const text = withoutCurrency(value);
  if (!AMOUNT.test(text)) return undefined;
  const amount = Number(text.indexOf(',') === -1 ? text : text.replace(THOUSANDS, ''));
  return Number.isFinite(amount) ? amount : undefined;
}

const ORDER_COMPLETED_NAMES: ReadonlySet<string> = new Set(['order completed', 'completed order']);

/**
 * True for the names of an order-completed event, whose `total` stands in for a missing
 * `revenue`: `Order Completed`, `Completed Order`, in any case, with spaces or underscores.
 */
export function isOrderCompleted(event: string): boolean {
  return event.length === 15 && ORDER_COMPLETED_NAMES.has(event.toLowerCase().replace(/_/g, ' '));
}
