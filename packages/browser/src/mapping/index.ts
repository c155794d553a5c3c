export { type BrowserMapResult, mapMessage } from './map-message.js';
export type { BrowserEvent } from './read-message.js';
export { type BrowserMapping, resolveMapping } from './resolve-mapping.js';
