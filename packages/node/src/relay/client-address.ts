// The visitor's IP address: the socket's peer, or what trusted proxies wrote in X-Forwarded-For.

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^[0-9a-f:]+(?:\.[0-9.]+)?$/i;

/**
 * One address as a proxy wrote it, normalised: brackets and a port removed (`[::1]:443`,
 * `1.2.3.4:80`), an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) as IPv4. Undefined when it is not
 * an IP address (an `unknown`, an obfuscated identifier, garbage).
 */
export function normaliseAddress(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let address = text.trim();
  if (address.startsWith('[')) address = address.slice(1, address.indexOf(']'));
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.indexOf(':'));
  if (/^::ffff:/i.test(address) && IPV4.test(address.slice(7))) address = address.slice(7);
  if (IPV4.test(address)) return address;
  // An IPv6 address: hex groups, at most one "::", an optional IPv4 tail.
  if (
    address.length <= 45 &&
    IPV6.test(address) &&
    address.includes(':') &&
    address.split('::').length <= 2
  ) {
    return address.toLowerCase();
  }
  return undefined;
}

/**
 * The visitor's address, as Express's numeric `trust proxy` reads it. With `trustedProxies: 0`
 * (the default) it is the socket's peer and `X-Forwarded-For` is ignored, since any client can
 * write it. With `n` proxies in front, each appending the address it received from, the visitor
 * is the `n`-th entry from the right (the one the outermost trusted proxy wrote); entries further
 * left were written by the client and are never read. With fewer entries than `n`, the leftmost.
 * Undefined when that entry is not an IP address, or with neither socket nor header.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | null | undefined,
  trustedProxies: number,
): string | undefined {
  if (trustedProxies === 0 || !forwardedFor) return normaliseAddress(socketAddress);
  const hops = forwardedFor.split(',');
  const index = Math.max(0, hops.length - trustedProxies);
  return normaliseAddress(hops[index]);
}
