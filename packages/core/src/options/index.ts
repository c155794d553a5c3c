export {
  checkOptions,
  type OptionKind,
  type OptionRule,
  type OptionsSpec,
  type OptionsSpecOf,
} from './check-options.js';
export { closestName } from './closest-name.js';
