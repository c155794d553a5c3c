export {
  type DevicePage,
  type DevicePageOptions,
  openDevicePage,
  type SnippetGlobals,
} from './device-page.js';
