export { createKissmetrics, type KissmetricsOptions } from './create-kissmetrics.js';
