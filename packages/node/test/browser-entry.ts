// The bundle the relay's Chromium suite loads into its pages, as `window.kmkit`.
export { createKissmetrics } from '@kmkit/browser';
