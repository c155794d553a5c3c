// Loads the BUILT package (ESM, CJS and the edge entry) in whatever Node runs this file, sends a
// track and an identify to a loopback server through each, and prints what happened.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dist = new URL('../dist/', import.meta.url);
const entries = [
  ['esm', await import(new URL('index.js', dist).href)],
  ['cjs', require(new URL('index.cjs', dist).pathname)],
  ['edge', await import(new URL('edge/index.js', dist).href)],
];

let hits = 0;
const server = createServer((_, res) => {
  hits++;
  res.writeHead(200, { 'content-type': 'image/gif' }).end('GIF89a');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${server.address().port}`;

let ok = true;
for (const [name, entry] of entries) {
  const km = entry.createKissmetrics({ apiKey: 'key', endpoint });
  const warnings = [];
  km.on('warning', (warning) => warnings.push(warning.code));
  km.track({ userId: 'bob', event: `Checked ${name}` });
  km.identify({ userId: 'bob', anonymousId: 'a-1', traits: { plan: 'pro' } });
  const flushed = await km.flush();
  await km.close();
  ok &&= flushed.delivered === 3;
  // Every Node the engines field claims runs undici: no fallback to fetch there.
  ok &&= name === 'edge' || !warnings.includes('transport_fallback');
  console.log(
    `${process.version} ${name}: ${JSON.stringify(flushed)} warnings ${JSON.stringify(warnings)}`,
  );
}
try {
  entries[0][1].createKissmetrics({ apiKey: 'key', endpoint }).track({ event: 'No identity' });
  ok = false;
} catch (error) {
  ok &&= error.code === 'missing_identity';
}
server.close();
console.log(`${process.version}: ${ok && hits === 9 ? 'ok' : 'FAILED'}`);
process.exitCode = ok && hits === 9 ? 0 : 1;
