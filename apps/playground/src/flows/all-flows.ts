import type { Flow } from '../flow/types.js';
import { backfill } from './backfill.js';
import { badInput } from './bad-input.js';
import { consent } from './consent.js';
import { crash } from './crash.js';
import { ecommerce } from './ecommerce.js';
import { faultStorm } from './fault-storm.js';
import { presets } from './presets.js';
import { relay } from './relay.js';
import { rudderstackExamples } from './rudderstack-examples.js';
import { tapstreamWebToApp } from './tapstream-web-to-app.js';

/** Every flow, in the order `pnpm playground` runs them. */
export const FLOWS: readonly Flow[] = [
  rudderstackExamples,
  ecommerce,
  presets,
  tapstreamWebToApp,
  faultStorm,
  crash,
  badInput,
  backfill,
  relay,
  consent,
];
