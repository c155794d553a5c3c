import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { postbackUrlTemplate } from './postback/index.js';

// The README's server example is the contract with users: it must run as printed. It is run here
// with the package's sources in place of the published entry.
const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const serverEntry = pathToFileURL(
  fileURLToPath(new URL('./server/index.ts', import.meta.url)),
).href;
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function serverExample(): string {
  const marker = readme.indexOf('<!-- readme-example: server.mjs');
  const start = readme.indexOf('```js\n', marker) + '```js\n'.length;
  return readme.slice(start, readme.indexOf('```', start));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('README', () => {
  test('the server example runs: it prints the postback URL, answers postbacks and exits on SIGTERM', async () => {
    const source = serverExample();
    expect(source).toContain("from '@kmkit/tapstream-bridge/server'");
    const dir = mkdtempSync(join(tmpdir(), 'kmkit-readme-'));
    writeFileSync(
      join(dir, 'server.mjs'),
      source.replace('@kmkit/tapstream-bridge/server', serverEntry),
    );
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['--conditions=@kmkit/source', '--import', tsx, 'server.mjs'],
      {
        cwd: dir,
        env: {
          ...process.env,
          PORT: String(port),
          KM_API_KEY: 'km-key',
          TAPSTREAM_POSTBACK_SECRET: 'readme-secret',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    await expect
      .poll(() => output, { timeout: 30_000, interval: 50 })
      .toContain('Paste into Tapstream: ');
    expect(output.trim()).toBe(
      `Paste into Tapstream: ${postbackUrlTemplate({ baseUrl: 'https://example.com/tapstream', secret: 'readme-secret' })}`,
    );

    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/tapstream?secret=wrong`)).status).toBe(401);
    const unattributed = await fetch(
      `${base}/tapstream?secret=readme-secret&km_identity=&event=e&time=1714564800`,
    );
    expect(unattributed.status).toBe(202);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
    expect(existsSync(join(dir, 'kmkit-spool'))).toBe(true);

    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 60_000);
});
