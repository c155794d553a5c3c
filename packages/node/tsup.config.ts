import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

export default defineConfig(
  packageBuild({
    entry: ['src/index.ts', 'src/edge/index.ts', 'src/relay/index.ts', 'src/relay/edge/index.ts'],
    // Optional dependencies, loaded on demand: never bundled.
    external: ['undici', 'prom-client'],
  }),
);
