/** Length in characters (code points): the unit of the services' 255 and 512 limits. */
export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
