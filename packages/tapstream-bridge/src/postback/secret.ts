const encoder = new TextEncoder();

/**
 * Compares a secret a request gave with the expected one in time that depends only on the
 * expected secret's length, never on where they differ or on the given one's length, so response
 * times leak nothing an attacker can use. Plain code: no `node:crypto`, runs on edge runtimes.
 */
export function createSecretCheck(expected: string): (given: string | null | undefined) => boolean {
  const wanted = encoder.encode(expected);
  return (given) => {
    if (typeof given !== 'string') return false;
    const bytes = encoder.encode(given);
    let difference = wanted.length ^ bytes.length;
    for (let index = 0; index < wanted.length; index++) {
      // Past the end of `bytes` this reads undefined, which `| 0` makes 0 without a branch.
      difference |= wanted[index]! ^ (bytes[index]! | 0);
    }
    return difference === 0;
  };
}
