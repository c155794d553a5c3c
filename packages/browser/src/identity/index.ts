export { readCookie, writeCookie } from './cookies.js';
export { createIdentityStore, type Identity, type IdentityStore } from './identity-store.js';
export { randomId } from './random-id.js';
