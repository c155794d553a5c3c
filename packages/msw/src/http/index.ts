export { characterCount } from './characters.js';
export { decodeComponent, readRequestParams } from './form.js';
export { fillScript, READ_COOKIE_FUNCTION } from './page-script.js';
export {
  gifResponse,
  jsonResponse,
  scriptResponse,
  TRACKING_GIF,
  textResponse,
} from './responses.js';
export { bothSchemes, urlRoute } from './route.js';
