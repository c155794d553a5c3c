export {
  type BrowserMapping,
  type BrowserMapResult,
  mapMessage,
} from './map-message.js';
export type { BrowserEvent } from './read-message.js';
