import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeListener } from '../src/relay/index.js';

/** A relay mounted at `/km` of a real loopback HTTP server, as `app.use('/km', relay.listener)` mounts it. */
export interface RelayServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** `<origin>/km`: the browser client's `endpoint`. */
  readonly endpoint: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** Options of {@link startRelayServer}. */
export interface RelayServerOptions {
  /** Listen on this port (a restarted relay keeps its address). Default: a free one. */
  readonly port?: number;
  /** Answers every path outside `/km` (the site's pages). Default 404. */
  readonly site?: RequestListener;
  /** The header deadline, as the README advises setting it. Default 10 s. */
  readonly headersTimeout?: number;
}

/**
 * Starts a `node:http` server that hands `/km/...` to `listener` with the mount path stripped from
 * `req.url` (what Express does), and everything else to `site`.
 */
export async function startRelayServer(
  listener: NodeListener,
  options: RelayServerOptions = {},
): Promise<RelayServer> {
  const headersTimeout = options.headersTimeout ?? 10_000;
  const server = createServer(
    {
      headersTimeout,
      requestTimeout: headersTimeout + 5000,
      // How often Node checks those deadlines (30 s by default).
      connectionsCheckingInterval: Math.min(1000, headersTimeout / 4),
    },
    (req, res) => {
      const url = req.url ?? '/';
      if (url === '/km' || url.startsWith('/km/') || url.startsWith('/km?')) {
        req.url = url.slice(3) || '/';
        listener(req, res);
      } else if (options.site) {
        options.site(req, res);
      } else {
        res.writeHead(404).end();
      }
    },
  );
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) =>
    server.listen({ port: options.port ?? 0, host: '127.0.0.1', backlog: 4096 }, resolve),
  );
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    endpoint: `${origin}/km`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
