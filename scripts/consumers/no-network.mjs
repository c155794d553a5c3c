// node --import ./no-network.mjs <example.js>: counts the requests the example makes (fetch is
// the only way out of a server-side @kmkit/browser client) and prints `requests: N` at exit.
const sent = [];
globalThis.fetch = async (url) => {
  sent.push(String(url));
  throw new TypeError('no network here');
};
process.on('exit', () => console.log(`requests: ${sent.length}`));
