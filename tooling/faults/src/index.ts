export { mountSmallTmpfs, type SmallTmpfs } from './small-tmpfs.js';
