// A stateless seeded PRNG: the draw for call n of a stream depends only on (seed, stream, n), so a
// route's failures are reproducible whatever the order in which concurrent requests reach other routes.

function mix32(value: number): number {
  let x = value >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A number in [0, 1) for call `call` of `stream`, fixed by `seed`. */
export function chance(seed: number, stream: string, call: number): number {
  let hash = mix32(seed ^ 0x9e3779b9);
  for (let index = 0; index < stream.length; index++) {
    hash = mix32(hash ^ stream.charCodeAt(index));
  }
  hash = mix32(hash ^ mix32(call + 0x632be59b));
  return hash / 0x1_0000_0000;
}
