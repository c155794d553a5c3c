import { describe, expect, test } from 'vitest';
import { clientAddress, normaliseAddress } from './client-address.js';

describe("the visitor's address", () => {
  test.each([
    ['no proxy: the socket, whatever X-Forwarded-For claims', '10.0.0.9', '6.6.6.6', 0, '10.0.0.9'],
    [
      'one proxy: the entry it appended, not the one the client wrote',
      '10.0.0.2',
      '6.6.6.6, 203.0.113.7',
      1,
      '203.0.113.7',
    ],
    [
      'two proxies: the entry the outer one appended',
      '10.0.0.2',
      '6.6.6.6, 203.0.113.7, 10.0.0.1',
      2,
      '203.0.113.7',
    ],
    ['fewer entries than proxies: the leftmost', '10.0.0.2', '203.0.113.7', 3, '203.0.113.7'],
    ['a proxy that wrote no header: the socket', '10.0.0.2', undefined, 1, '10.0.0.2'],
    ['garbage where the visitor should be: none', '10.0.0.2', '6.6.6.6, unknown', 1, undefined],
    ['an IPv4-mapped socket address: as IPv4', '::ffff:127.0.0.1', undefined, 0, '127.0.0.1'],
    ['an IPv6 entry with brackets and port', '10.0.0.2', '[2001:DB8::1]:443', 1, '2001:db8::1'],
    ['an IPv4 entry with a port', '10.0.0.2', '203.0.113.7:5555', 1, '203.0.113.7'],
  ])('%s', (_case, socket, forwarded, proxies, expected) => {
    expect(clientAddress(socket, forwarded, proxies)).toBe(expected);
  });

  test('anything that is not an IP address is no address', () => {
    for (const text of [
      '',
      'unknown',
      '_hidden',
      '1.2.3',
      '256.1.1.1',
      '1::2::3',
      'a'.repeat(60),
    ]) {
      expect(normaliseAddress(text)).toBeUndefined();
    }
  });
});
