import * as nodeFs from 'node:fs';

/**
 * The file calls the spool's journal makes, so that a test can make them fail the way a full or
 * failing disk does (a short write, `ENOSPC`, `EIO`) where it cannot mount a small filesystem.
 */
export interface SpoolFs {
  openSync(path: string, flags: string): number;
  closeSync(fd: number): void;
  /** Writes `length` bytes of `buffer` from `offset`; returns how many it wrote (maybe fewer). */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  ftruncateSync(fd: number, length: number): void;
  fstatSync(fd: number): { readonly size: number };
  fdatasyncSync(fd: number): void;
  fsyncSync(fd: number): void;
  readFileSync(path: string): Uint8Array;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
}

/** The real file system. */
export const systemFs: SpoolFs = nodeFs;
