export { readCookie, writeCookie } from './cookies.js';
export {
  ANONYMOUS_ID,
  createIdentityStore,
  type Identity,
  type IdentityStore,
  USER_ID,
} from './identity-store.js';
export { randomId } from './random-id.js';
