export { characterCount } from './characters.js';
export { decodeComponent, readRequestParams } from './form.js';
export {
  gifResponse,
  jsonResponse,
  scriptResponse,
  TRACKING_GIF,
  textResponse,
} from './responses.js';
export { bothSchemes, urlRoute } from './route.js';
