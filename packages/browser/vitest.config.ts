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
        // A skipped script counts as loaded, so happy-dom logs no "Failed to load script" trace for
        // each; tests of a blocked script dispatch its `error` event themselves.
        settings: {
          disableJavaScriptFileLoading: true,
          disableCSSFileLoading: true,
          handleDisabledFileLoadingAsSuccess: true,
        },
      },
    },
  },
});
