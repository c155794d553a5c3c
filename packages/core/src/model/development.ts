// Only the expression bundlers replace is read: a build that defines `process.env.NODE_ENV` (every
// framework's production build does) folds this to a constant, so the sentences behind it are
// left out. Without `process` (an unbundled page, Deno, a worker) it is false: codes and paths only.
// Declared here rather than taken from the runtime's types: core reads nothing else of it.
declare const process: { readonly env: Record<string, string | undefined> };

/**
 * True in a development build. Warning and error messages carry their sentences only then; their
 * `code` and `path` are the same in every build. Read as
 * `typeof process === 'object' ? process.env.NODE_ENV !== 'production' : false`, the one form
 * whose both branches fold once `process.env.NODE_ENV` is replaced.
 */
export const DEV: boolean =
  typeof process === 'object' ? process.env.NODE_ENV !== 'production' : false;

/** A message for production builds: the code and the path, which every build keeps. */
export const terse = (code: string, path: string): string => (path ? `${code} (${path})` : code);
