export {
  createImportWriter,
  type ImportSummary,
  type ImportWriter,
  type ImportWriterOptions,
} from './import-writer.js';
