import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@kmkit/source'] },
  ssr: { resolve: { conditions: ['@kmkit/source'] } },
  test: { name: 'playground', environment: 'node' },
});
