export { JOURNAL_HEADER, readJournal } from './journal.js';
export {
  DEFAULT_SPOOL_BYTES,
  type FsyncPolicy,
  openSpool,
  SPOOL_RECORD_OVERHEAD,
  type Spool,
  type SpoolOptions,
  type SpoolStats,
  type SpoolWarning,
} from './spool.js';
export { KmSpoolError, type KmSpoolErrorCode } from './spool-error.js';
