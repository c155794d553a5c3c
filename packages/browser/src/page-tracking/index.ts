export { trackHistory } from './history.js';
