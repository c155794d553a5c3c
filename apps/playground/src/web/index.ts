export { callFromForm, type InputProblem } from './calls.js';
export {
  type ClientEventLine,
  createClients,
  type Mode,
  type PlaygroundClients,
} from './clients.js';
export {
  API_KEY,
  type PageEmulators,
  POSTBACK_HOOK,
  startEmulators,
  TAPSTREAM_ACCOUNT,
} from './emulators.js';
export { describeFaults, wireFaults } from './faults.js';
export { element, eventItem, kmqItem, personCard, requestItem } from './render.js';
export { type GuideContext, wireTapstreamGuide } from './tapstream-guide.js';
