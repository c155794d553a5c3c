/**
 * The origin of a Kissmetrics host (`https://trk.kissmetrics.io`, the legacy `.com`, any of their
 * subdomains) at the start of a URL. Those hosts send no CORS headers: cloud mode sends to them
 * `no-cors`, and a request saved for one is re-based onto a first-party endpoint.
 */
export const KISSMETRICS_ORIGIN = /^https?:\/\/([\w-]+\.)*kissmetrics\.(io|com)(?![\w.-])/i;
