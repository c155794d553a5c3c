import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { mountSmallTmpfs } from './small-tmpfs.js';

const disk = mountSmallTmpfs('64k');

test.skipIf('refused' in disk)(
  `a 64 KiB tmpfs refuses a write past its size, takes it once resized, and unmounts${'refused' in disk ? ` (skipped: mounting a tmpfs was refused here: ${disk.refused})` : ''}`,
  () => {
    if ('refused' in disk) return;
    try {
      const file = join(disk.dir, 'big');
      expect(() => writeFileSync(file, Buffer.alloc(128 * 1024))).toThrow(
        expect.objectContaining({ code: 'ENOSPC' }),
      );
      disk.resize('1m');
      writeFileSync(file, Buffer.alloc(128 * 1024));
    } finally {
      disk.unmount();
    }
  },
);
