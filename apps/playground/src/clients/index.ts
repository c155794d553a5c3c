export { deviceCommands, pushOnPage } from './device-calls.js';
export { callNodeClient, type NodeCallName } from './node-calls.js';
export { sendAppEvent, type TapstreamAppAccount } from './tapstream-app.js';
