export { createSharedStore, type SharedStore } from './shared-store.js';
