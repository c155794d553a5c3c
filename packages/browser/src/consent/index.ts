export {
  CONSENT_STATES,
  type ConsentOptions,
  type ConsentState,
  startingConsent,
} from './consent-state.js';
export { eraseStored } from './erase-stored.js';
