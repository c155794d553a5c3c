// Currency symbols (Unicode category Sc) and whitespace carry no amount: "$ 19.99", "19,99 €".
const NOT_AMOUNT = /[\s\p{Sc}]/gu;
// Digits with an optional sign and decimals; "," only as a thousands separator (1,234,567.89).
const AMOUNT = /^[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)$/;

/**
 * Reads a revenue amount: a finite number, or text such as `"$19.99"`, `"1,299.00"`, `"-5"`
 * (currency symbols and whitespace removed; `,` accepted only as a thousands separator, so a
 * decimal comma such as `"19,99"` is refused rather than misread). `0` and negative amounts
 * (refunds) are amounts. Returns `undefined` when `value` is not an amount.
 */
export function parseRevenue(value: unknown): number | undefined {
  let amount: number | undefined;
  if (typeof value === 'number' || typeof value === 'bigint') {
    amount = Number(value);
  } else if (typeof value === 'string') {
    const text = value.replace(NOT_AMOUNT, '');
    if (AMOUNT.test(text)) amount = Number(text.replace(/,/g, ''));
  }
  return amount !== undefined && Number.isFinite(amount) ? amount : undefined;
}

/**
 * True for the names of an order-completed event, whose `total` stands in for a missing `revenue`:
 * `Order Completed`, `Completed Order`, in any case, with spaces or underscores.
 */
export function isOrderCompleted(event: string): boolean {
  return /^(order[ _]completed|completed[ _]order)$/i.test(event);
}
