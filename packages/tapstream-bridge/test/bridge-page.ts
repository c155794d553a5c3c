// What the Chromium pages load as /bridge.js: the package's main entry on `window.kmkitBridge`.
export * from '../src/index.js';
