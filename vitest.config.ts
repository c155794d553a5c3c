import { defineConfig } from 'vitest/config';

// One run over every package, so CI reads one JSON report (.ci/run prints its counts).
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tooling/*'],
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: '.reports/vitest.json' }]]
      : ['default'],
  },
});
