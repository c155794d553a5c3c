export { CRASH_API_KEY, CRASH_BATCH, crashMessage } from './messages.js';
export { type SpoolWriter, spawnSpoolWriter } from './spawn-spool-writer.js';
