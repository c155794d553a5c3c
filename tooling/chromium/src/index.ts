/**
 * Test-only helpers for the real-Chromium suites: launch Chromium, route every page request into
 * MSW handlers (so the page talks to the `@kmkit/msw` emulators living in the test process), bundle
 * workspace sources for the page, collect console errors, and the parts every suite shares.
 */
export { bundleForBrowser } from './bundle-for-browser.js';
export { type ChromiumSource, findChromium, launchChromium } from './launch.js';
export { collectPageErrors } from './page-errors.js';
export { type MswRoute, routeToMsw } from './route-to-msw.js';
export { kissmetricsSnippet, SITE, sitePage, TAPSTREAM_SNIPPET, useChromium } from './suite.js';
