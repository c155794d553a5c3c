/** `https://<host>` and `http://<host>` for each host: the services answer on both schemes. */
export function bothSchemes(hosts: readonly string[]): string[] {
  return hosts.flatMap((host) => [`https://${host}`, `http://${host}`]);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A RegExp for MSW that matches any of the base URLs followed by `path` (a RegExp source), the
 * whole URL without its query. One compiled RegExp per route keeps matching cheap however many
 * hosts there are, and `path` must hold no capture group: MSW would percent-decode captures and
 * throw on a malformed escape instead of letting the emulator answer.
 */
export function urlRoute(bases: readonly string[], path: string): RegExp {
  return new RegExp(`^(?:${bases.map(escapeRegExp).join('|')})${path}$`);
}
