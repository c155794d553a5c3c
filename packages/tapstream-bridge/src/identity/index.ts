export { GENERIC_IDENTITIES, isGenericIdentity } from './generic-identity.js';
