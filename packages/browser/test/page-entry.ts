// The bundle the Chromium suites load into their pages, as `window.kmkit`.
export { createKissmetrics, KmLibraryError, trackPageViews } from '../src/index.js';
