import { describe, expect, test } from 'vitest';
import { normalizePostbackIdentity } from './postback-identity.js';

describe('normalizePostbackIdentity', () => {
  test.each([
    [' visitor ', 'visitor'],
    ['\tXk3+a/bQ9w==\n', 'Xk3+a/bQ9w=='],
    ['bob@example.com', 'bob@example.com'],
    ['josé', 'josé'],
    ['名前', '名前'],
    ['😀-7', '😀-7'],
    ['', ''],
  ])('%j is %j', (value, identity) => {
    expect(normalizePostbackIdentity(value)).toEqual({ identity });
  });

  test.each([
    ['\u0000\u0000', 'control_character'],
    ['visitor\u0000', 'control_character'],
    ['vis\nitor', 'control_character'],
    ['\u001b[31mred', 'control_character'],
    ['\u007f', 'control_character'],
    ['\u0085visitor', 'control_character'],
    ['\ufffd', 'not_utf8'],
    ['visitor\ufffd', 'not_utf8'],
    ['\ud800x', 'not_utf8'],
    ['x\udc00', 'not_utf8'],
  ])('%j is refused (%s)', (value, invalid) => {
    expect(normalizePostbackIdentity(value)).toEqual({ invalid });
  });
});
