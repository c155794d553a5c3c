import type { Options } from 'tsup';

/** What a package's build adds to the shared one: its entry points, and what it never bundles. */
export interface PackageBuild {
  /** `{ 'out/name': 'src/file.ts' }`, or a list of `src/**` files (the output keeps their path). */
  readonly entry: Record<string, string> | string[];
  /** Dependencies loaded at run time, never bundled (an optional dependency, say). */
  readonly external?: string[];
}

/**
 * The build of every published kmkit package: ESM and CJS with per-format declarations and source
 * maps, from `tsconfig.build.json` (tests excluded). Only options tsdown also accepts, so the move
 * off tsup stays a rename.
 */
export function packageBuild({ entry, external }: PackageBuild): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    tsconfig: 'tsconfig.build.json',
    ...(external ? { external } : {}),
  };
}
