import { MAPPING_OPTIONS, type OptionsSpecOf } from '@kmkit/core/internal';
import type { CommonOptions } from './types.js';

/**
 * The rules of the options both modes take, for `@kmkit/core`'s `checkOptions`; each mode spreads
 * them into its own. Complete by construction: an option without its rule does not compile.
 */
export const COMMON_OPTIONS = {
  apiKey: 'string!',
  pageContext: 'boolean',
  scheduler: 'object',
  ...MAPPING_OPTIONS,
  consent: ['granted', 'pending', 'denied'],
  respectGlobalPrivacyControl: 'boolean',
} as const satisfies OptionsSpecOf<CommonOptions>;
