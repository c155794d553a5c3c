import { request as httpRequest } from 'node:http';
import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, test } from 'vitest';
import { createKissmetricsEmulator } from '../kissmetrics/index.js';
import { type LoopbackServer, startLoopbackServer } from './loopback-server.js';

// node:http, not fetch: the point of the server is clients that MSW does not intercept.
function get(url: string): Promise<{ status: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, (res) => {
      let body = '';
      res.setEncoding('latin1').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode!, type: res.headers['content-type'], body }),
      );
    })
      .on('error', reject)
      .end();
  });
}

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startLoopbackServer', () => {
  test('answers real HTTP requests with the emulator, which records the person', async () => {
    server = await startLoopbackServer();
    const km = createKissmetricsEmulator({ endpoints: [server.url] });
    server.use(km.handlers);
    const answer = await get(`${server.url}/e?_k=key&_p=bob&_n=Signed%20Up&_t=1700000000&_d=1`);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('image/gif');
    expect(km.person('bob')?.events).toEqual([
      { name: 'Signed Up', time: 1700000000, properties: {} },
    ]);
  });

  test('a request no handler answers gets a 404 and is listed', async () => {
    server = await startLoopbackServer([]);
    expect((await get(`${server.url}/nowhere`)).status).toBe(404);
    expect(server.unhandled()).toEqual([`GET ${server.url}/nowhere`]);
  });

  test('a network-error answer resets the connection', async () => {
    server = await startLoopbackServer([http.get('*/boom', () => HttpResponse.error())]);
    await expect(get(`${server.url}/boom`)).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});
