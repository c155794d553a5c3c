export { type CloudOptions, createCloudClient } from './cloud-client.js';
