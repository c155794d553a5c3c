import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';
import { inlineDev } from './scripts/inline-dev.mjs';

export default defineConfig({
  ...packageBuild({
    entry: {
      index: 'src/index.ts',
      internal: 'src/internal.ts',
      'testing/index': 'src/testing/index.ts',
    },
  }),
  // Development sentences fold away in users' production bundles (see the script).
  esbuildPlugins: [inlineDev()],
});
