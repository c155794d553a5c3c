import { describe, expect, it } from 'vitest';
import { callText, jsLiteral } from './call-text.js';

describe('calls as the code a user writes', () => {
  it('writes single-quoted strings and bare keys, quoting keys that need it', () => {
    expect(
      callText('km.track', {
        userId: 'bob',
        event: "Bob's order",
        properties: { 'Billing Amount': 9.99 },
      }),
    ).toBe(
      "km.track({ userId: 'bob', event: 'Bob\\'s order', properties: { 'Billing Amount': 9.99 } })",
    );
  });

  it('shortens long strings and names their length', () => {
    expect(jsLiteral('x'.repeat(300))).toBe("'xxxxxxxxxxxx…' (300 characters)");
  });

  it('writes what JSON cannot: functions, NaN, dates, bigints', () => {
    expect(jsLiteral([() => 1, Number.NaN, new Date(Date.UTC(2024, 0, 1)), 10n])).toBe(
      "[() => {}, NaN, new Date('2024-01-01T00:00:00.000Z'), 10n]",
    );
  });
});
