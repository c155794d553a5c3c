// node page.mjs <example.js>: runs a website example in a web page (happy-dom), below the
// Kissmetrics snippet (`_kmq = _kmq || []`), then loads the Kissmetrics JS (`KM.i()` gives
// 'visitor-42', the queued functions run) and prints what the page holds as one JSON line:
// the script URLs it added and the `_tsq` pushes.
import { pathToFileURL } from 'node:url';
import { Window } from 'happy-dom';

const page = new Window({
  url: 'https://shop.example/',
  // tapstream.js is not reachable here: its <script> is added but not fetched.
  settings: { disableJavaScriptFileLoading: true, handleDisabledFileLoadingAsSuccess: true },
});
globalThis.document = page.document;
globalThis._kmq = [];

await import(pathToFileURL(process.argv[2]).href);

globalThis.KM = { i: () => 'visitor-42' };
const queued = globalThis._kmq;
globalThis._kmq = { push: (fn) => fn() };
for (const fn of queued) if (typeof fn === 'function') fn();

const scripts = Array.from(page.document.getElementsByTagName('script'), (s) => s.src);
console.log(JSON.stringify({ scripts, tsq: globalThis._tsq }));
await page.happyDOM.close();
