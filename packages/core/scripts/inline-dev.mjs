// An esbuild plugin for the package builds (tsup): each use of `DEV` in `src/` is written as the
// expression behind it, `(typeof process === 'object' ? process.env.NODE_ENV !== 'production' :
// false)`. A shared `DEV` variable would not do: bundling turns it into a `var`, which esbuild and
// Rolldown do not propagate, so the development sentences behind it would ship in production.
// Written at each use, the condition folds to `false` in any bundler that defines
// `process.env.NODE_ENV`, and the sentence goes with it. The tests run the sources, where `DEV` is
// that same expression, evaluated once.
import { readFile } from 'node:fs/promises';

/** What `DEV` stands for, as `src/model/development.ts` defines it. */
export const DEV_EXPRESSION =
  "(typeof process === 'object' ? process.env.NODE_ENV !== 'production' : false)";

// Import and re-export statements keep the name (the unused import is then dropped).
const USES = /((?:import|export)\s[^;]*?\sfrom\s*['"][^'"]*['"];)|\bDEV\b/g;

/** The esbuild plugin; `development.ts`, which defines `DEV`, is left as it is. */
export function inlineDev() {
  return {
    name: 'kmkit-inline-dev',
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async ({ path }) => {
        if (/[\\/]development\.ts$/.test(path)) return undefined;
        const source = await readFile(path, 'utf8');
        if (!/\bDEV\b/.test(source)) return undefined;
        const contents = source.replace(USES, (_use, statement) => statement ?? DEV_EXPRESSION);
        return { contents, loader: 'ts' };
      });
    },
  };
}
