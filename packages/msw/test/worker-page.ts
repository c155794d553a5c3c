// Bundled for the page of the setupWorker suite: the emulators and MSW's browser entry, as the
// playground's web page uses them.
import { setupWorker } from 'msw/browser';
import { createKissmetricsEmulator, createTapstreamEmulator } from '../src/index.js';

export { createKissmetricsEmulator, createTapstreamEmulator, setupWorker };
