import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@kmkit/source'] },
  ssr: { resolve: { conditions: ['@kmkit/source'] } },
  test: {
    name: 'browser',
    // Unit tests opt into happy-dom per file (`// @vitest-environment happy-dom`); the real-Chromium
    // suites (`*.browser.test.ts`) run in node and drive Chromium.
    environment: 'node',
    environmentOptions: {
      happyDOM: {
        url: 'https://site.test/',
        // Script elements are asserted, never run: the Kissmetrics JS runs in the Chromium suites.
        settings: { disableJavaScriptFileLoading: true, disableCSSFileLoading: true },
      },
    },
  },
});
