import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

export default defineConfig(
  packageBuild({
    entry: ['src/index.ts', 'src/edge/index.ts'],
    // An optional dependency, loaded on demand: never bundled.
    external: ['undici'],
  }),
);
