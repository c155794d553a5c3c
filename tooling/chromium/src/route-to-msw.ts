// Routing a page's requests into MSW handlers at the browser level (DevTools Fetch domain).
import { getResponse, type RequestHandler } from 'msw';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';

/** The routing of one page or context, as {@link routeToMsw} returns it. */
export interface MswRoute {
  /** `METHOD url` of every request no handler answered (each was failed as a network error). */
  readonly unhandled: string[];
  /**
   * Takes the context offline (or back online): its own emulation (`context.setOffline`) plus this
   * route's, which fails every request as `InternetDisconnected`. Use this rather than
   * `context.setOffline` alone: a request the router answers never reaches the network, so the
   * browser's offline emulation would not fail it.
   */
  setOffline(offline: boolean): Promise<void>;
  /** Stops routing: the page's requests go to the network again. */
  dispose(): Promise<void>;
}

interface PausedRequest {
  readonly requestId: string;
  readonly frameId?: string;
  readonly request: {
    readonly url: string;
    readonly method: string;
    readonly headers: Record<string, string>;
    readonly postData?: string;
    readonly postDataEntries?: readonly { readonly bytes?: string }[];
  };
}

interface RouteEntry {
  /** The DevTools id of the routed context. */
  readonly contextId: string;
  /** The routed page's target id (its main frame's id), for a page's own route. */
  readonly targetId?: string;
  readonly handlers: readonly RequestHandler[];
  readonly unhandled: string[];
  offline: boolean;
}

interface Router {
  readonly session: CDPSession;
  /** Newest last: the newest route of a page or context answers, as with Playwright's routes. */
  readonly routes: RouteEntry[];
}

type FailReason = 'Failed' | 'ConnectionReset' | 'InternetDisconnected';

const routers = new WeakMap<Browser, Promise<Router>>();
const contextIds = new WeakMap<BrowserContext, Promise<string>>();

function bodyOf(paused: PausedRequest): BodyInit | undefined {
  const { method, postData, postDataEntries } = paused.request;
  if (method === 'GET' || method === 'HEAD') return undefined;
  if (postDataEntries) {
    const bytes = Buffer.concat(
      postDataEntries.map((entry) => Buffer.from(entry.bytes ?? '', 'base64')),
    );
    return new Uint8Array(bytes);
  }
  return postData;
}

async function createRouter(browser: Browser): Promise<Router> {
  const session = await browser.newBrowserCDPSession();
  const router: Router = { session, routes: [] };
  // The context of each page target, kept after the page closes: a beacon sent while it closes
  // still finds its context. A page's main frame id is its target id.
  const contextOfFrame = new Map<string, string>();

  // The newest route of the request's page or context. A request from a frame that is not a page
  // (a subframe in the page's process) or from no frame (a worker) goes to the newest route.
  async function routeOf(frameId: string | undefined): Promise<RouteEntry | undefined> {
    const routes = [...router.routes].reverse();
    if (!frameId) return routes[0];
    if (!contextOfFrame.has(frameId)) {
      const { targetInfos } = await session.send('Target.getTargets');
      for (const info of targetInfos) {
        if (info.browserContextId) contextOfFrame.set(info.targetId, info.browserContextId);
      }
    }
    const contextId = contextOfFrame.get(frameId);
    if (!contextId) return routes[0];
    return routes.find(
      (route) =>
        route.contextId === contextId &&
        (route.targetId === undefined || route.targetId === frameId),
    );
  }

  const fail = (requestId: string, errorReason: FailReason) =>
    session.send('Fetch.failRequest', { requestId, errorReason }).catch(() => undefined);

  session.on('Fetch.requestPaused', async (paused: PausedRequest) => {
    const { requestId, request } = paused;
    const route = await routeOf(paused.frameId);
    if (!route) {
      // Nobody routes this page: it goes to the network.
      await session.send('Fetch.continueRequest', { requestId }).catch(() => undefined);
      return;
    }
    if (route.offline) return fail(requestId, 'InternetDisconnected');
    const response = await getResponse(
      [...route.handlers],
      new Request(request.url, {
        method: request.method,
        headers: request.headers,
        body: bodyOf(paused),
      }),
    );
    if (!response) {
      route.unhandled.push(`${request.method} ${request.url}`);
      return fail(requestId, 'Failed');
    }
    if (response.type === 'error') return fail(requestId, 'ConnectionReset');
    const responseHeaders: { name: string; value: string }[] = [];
    response.headers.forEach((value, name) => {
      responseHeaders.push({ name, value });
    });
    const body = Buffer.from(await response.arrayBuffer()).toString('base64');
    // The page may be gone by now (a beacon sent while leaving): nothing waits for the answer.
    await session
      .send('Fetch.fulfillRequest', {
        requestId,
        responseCode: response.status,
        responseHeaders,
        body,
      })
      .catch(() => undefined);
  });
  await session.send('Fetch.enable', { patterns: [{ urlPattern: '*' }] });
  return router;
}

// Playwright does not tell a context's DevTools id: a marker cookie, found through the browser
// session and removed at once, does.
function contextIdOf(context: BrowserContext, session: CDPSession): Promise<string> {
  let id = contextIds.get(context);
  if (!id) {
    id = (async () => {
      const name = `kmkit-route-${Math.random().toString(36).slice(2)}`;
      await context.addCookies([{ name, value: '1', domain: 'kmkit-route.invalid', path: '/' }]);
      try {
        const { browserContextIds } = await session.send('Target.getBrowserContexts');
        for (const browserContextId of browserContextIds) {
          const { cookies } = await session.send('Storage.getCookies', { browserContextId });
          if (cookies.some((cookie) => cookie.name === name)) return browserContextId;
        }
        throw new Error('routeToMsw could not find the context in the browser');
      } finally {
        await context.clearCookies({ name });
      }
    })();
    contextIds.set(context, id);
  }
  return id;
}

/**
 * Answers every request of a page or context from MSW handlers, as `setupServer` does in Node,
 * including the `keepalive` fetches and beacons a page sends while it unloads. Playwright's own
 * routes miss those (it lets requests without a live frame through to the network), so the
 * routing happens at the browser level, through the DevTools Protocol's Fetch domain. A request no
 * handler answers fails as a network error and is listed in `unhandled`, so a test can assert
 * that nothing reached an unexpected host. Routing a page or context again puts the newer
 * handlers in force, as Playwright's routes do; pages nobody routes go to the network.
 */
export async function routeToMsw(
  target: BrowserContext | Page,
  handlers: readonly RequestHandler[],
): Promise<MswRoute> {
  const page = 'goto' in target ? target : undefined;
  const context = page ? page.context() : (target as BrowserContext);
  const browser = context.browser();
  if (!browser) throw new Error('routeToMsw needs a context of a browser from launchChromium()');
  let pending = routers.get(browser);
  if (!pending) {
    pending = createRouter(browser);
    routers.set(browser, pending);
  }
  const { session, routes } = await pending;
  let targetId: string | undefined;
  if (page) {
    const pageSession = await context.newCDPSession(page);
    targetId = (await pageSession.send('Target.getTargetInfo')).targetInfo.targetId;
    await pageSession.detach();
  }
  const route: RouteEntry = {
    contextId: await contextIdOf(context, session),
    targetId,
    handlers,
    unhandled: [],
    offline: false,
  };
  routes.push(route);
  return {
    unhandled: route.unhandled,
    async setOffline(offline) {
      route.offline = offline;
      await context.setOffline(offline);
    },
    async dispose() {
      const at = routes.indexOf(route);
      if (at !== -1) routes.splice(at, 1);
    },
  };
}
