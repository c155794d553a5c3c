export {
  type KmPlugin,
  type KmPluginError,
  type KmPluginRunResult,
  runPlugins,
} from './run-plugins.js';
export { withProperties } from './with-properties.js';
