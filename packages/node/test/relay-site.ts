import type { RequestListener } from 'node:http';

/**
 * The test site's pages on a real server: `/kmkit.js` (the `@kmkit/browser` bundle) and an HTML
 * page at each path running its script.
 */
export function relaySite(
  script: string,
  pages: Readonly<Record<string, string>>,
): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/kmkit.js') {
      res.writeHead(200, { 'content-type': 'application/javascript' }).end(script);
      return;
    }
    const page = pages[path];
    if (page === undefined) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(
        `<!doctype html><html><head><script src="/kmkit.js"></script><script>${page}</script></head><body></body></html>`,
      );
  };
}
