export { trackPageViews } from './track-page-views.js';
