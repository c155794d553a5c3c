// The bundle the Chromium suites load into their pages, as `window.kmkit`.
export { createKissmetrics, KmLibraryError } from '../src/index.js';
