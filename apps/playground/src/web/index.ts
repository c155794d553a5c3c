export { type AdBlocker, createAdBlocker } from './ad-blocker.js';
export { callFromForm, type InputProblem } from './calls.js';
export {
  type AdBlockedVisitor,
  type ClientEventLine,
  createClients,
  type LogSource,
  type Mode,
  type PlaygroundClients,
} from './clients.js';
export { type ConsentContext, wireConsent } from './consent.js';
export {
  API_KEY,
  type PageEmulators,
  POSTBACK_HOOK,
  startEmulators,
  TAPSTREAM_ACCOUNT,
} from './emulators.js';
export { describeFaults, wireFaults } from './faults.js';
export { type RelayPanelContext, wireRelayPanel } from './relay-panel.js';
export {
  element,
  eventItem,
  kmqItem,
  personCard,
  type RequestOrigin,
  requestItem,
  sentFrom,
  words,
} from './render.js';
export { createSiteRelay, RELAY_PATH, type SiteRelay, VISITOR_ADDRESS } from './site-relay.js';
export { type GuideContext, wireTapstreamGuide } from './tapstream-guide.js';
