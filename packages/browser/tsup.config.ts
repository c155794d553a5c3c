import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';
import { inlineDev } from '../core/scripts/inline-dev.mjs';

export default defineConfig({
  ...packageBuild({ entry: ['src/index.ts', 'src/device/index.ts'] }),
  // Development sentences fold away in users' production bundles (see the script).
  esbuildPlugins: [inlineDev()],
});
