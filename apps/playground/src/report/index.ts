export { type JsonReport, renderJson } from './render-json.js';
export { renderFlowText, renderSummaryText, type TextStyle } from './render-text.js';
