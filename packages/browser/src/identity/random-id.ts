/** A random id of `words` x 32 random bits in base 36 (`0-9 a-z`): safe in cookies, keys and URLs. */
export const randomId = (words: number): string =>
  Array.from(crypto.getRandomValues(new Uint32Array(words)), (word) => word.toString(36)).join('');
