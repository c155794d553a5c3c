export {
  type AliasOnboardedUserOptions,
  type AliasOutcome,
  type AliasResult,
  aliasOnboardedUser,
} from './alias-onboarded-user.js';
export {
  ALIAS_KEY_PREFIX,
  type AliasStorage,
  type AliasStore,
  aliasKey,
  createLocalStorageAliasStore,
  createMemoryAliasStore,
} from './alias-store.js';
