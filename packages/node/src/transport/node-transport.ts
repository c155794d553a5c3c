import type { TrackingRequest, Transport, TransportAttempt, TransportResponse } from '@kmkit/core';
import { createFetchTransport } from '@kmkit/core';
import { startRequest } from '@kmkit/core/internal';
import type { RequestDispatcher } from './request-dispatcher.js';

/** Options of {@link createNodeTransport}. */
export interface NodeTransportOptions {
  /**
   * Keep-alive connections per origin (the undici pool size). The client passes its
   * `maxConcurrency`, so however far the adaptive window grows, every request in flight has a
   * connection and none waits for one. Connections open only as requests need them. Default 8.
   */
  readonly connections?: number;
  /**
   * An undici dispatcher to send through instead of kmkit's own pool: a `ProxyAgent` for an
   * outbound proxy, a `MockAgent` in tests, or your own tuned `Agent`. You own its lifecycle:
   * `close()` does not close it.
   */
  readonly dispatcher?: RequestDispatcher;
  /**
   * A `fetch` to send with instead of undici (an instrumented or proxying fetch). Slower than the
   * undici pool on Node; the only path on fetch-only runtimes.
   */
  readonly fetch?: typeof fetch;
  /** How long an idle keep-alive connection is kept open. Default 30 s (servers may close sooner). */
  readonly keepAliveTimeoutMs?: number;
  /** Told once when undici cannot be used here (Node < 20.18.1, or not installed) and fetch is. */
  readonly onFallback?: (message: string) => void;
}

/** How a {@link NodeTransport} sends: its own undici pool, your dispatcher, or a fetch. */
export type NodeTransportKind = 'undici' | 'dispatcher' | 'fetch';

/** A transport that also owns connections, which the client releases on `close()`. */
export interface NodeTransport extends Transport {
  /** How requests go out; `undefined` until the first send chose (undici is loaded on demand). */
  kind(): NodeTransportKind | undefined;
  /** Closes kmkit's own keep-alive connections once requests in flight are done. */
  close(): Promise<void>;
  /** Closes kmkit's own connections at once, failing requests in flight. */
  destroy(): Promise<void>;
}

type Send = Transport['send'];
type Start = (request: TrackingRequest) => TransportAttempt;

// The parts of undici 7's dispatch API the pool path uses (typed here: undici is optional).
interface DispatchController {
  abort(reason: Error): void;
}

interface DispatchHandler {
  onRequestStart(controller: DispatchController, context: unknown): void;
  onResponseStart(
    controller: DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void;
  onResponseData(controller: DispatchController, chunk: Uint8Array): void;
  onResponseEnd(controller: DispatchController, trailers: unknown): void;
  onResponseError(controller: DispatchController, error: Error): void;
}

interface UndiciAgent {
  dispatch(
    options: {
      origin: string;
      path: string;
      method: 'GET' | 'POST';
      headers?: Readonly<Record<string, string>>;
      body?: string;
    },
    handler: DispatchHandler,
  ): boolean;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

interface UndiciModule {
  Agent: new (options: {
    connections: number;
    keepAliveTimeout: number;
    keepAliveMaxTimeout: number;
  }) => UndiciAgent;
}

/** undici 7 needs Node 20.18.1 or later; older Node sends with its global fetch instead. */
export function supportsUndici(version: string): boolean {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  if (major !== 20) return major > 20;
  return minor > 18 || (minor === 18 && patch >= 1);
}

function firstHeader(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return typeof value === 'string' ? value : (value[0] ?? null);
}

/** Sends through anything with undici's `request()`. The URL is split once, without `new URL`. */
export function dispatcherSend(dispatcher: RequestDispatcher): Send {
  return async (request, signal): Promise<TransportResponse> => {
    const { url } = request;
    const pathStart = url.indexOf('/', url.indexOf('//') + 2);
    const response = await dispatcher.request({
      origin: pathStart === -1 ? url : url.slice(0, pathStart),
      path: pathStart === -1 ? '/' : url.slice(pathStart),
      method: request.method,
      ...(request.headers === undefined ? {} : { headers: { ...request.headers } }),
      ...(request.body === undefined ? {} : { body: request.body }),
      signal,
    });
    const retryAfter = firstHeader(response.headers['retry-after']);
    // Reading the (1x1 GIF) body hands the connection back to the pool for the next request.
    await response.body.dump();
    return { status: response.statusCode, retryAfter };
  };
}

/** What a request aborted with `reason` rejects with: the reason itself when it is an Error. */
function abortError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error('the request was aborted');
}

function abortReason(signal: AbortSignal): Error {
  return abortError(signal.reason);
}

/**
 * Starts requests through undici's `dispatch()` with a handler that only keeps the status and
 * `Retry-After`: no response stream is built for the 43-byte GIF, and no `AbortSignal` per request
 * (the engine aborts through the returned `abort`), which makes this path faster than `request()`.
 */
function agentStart(agent: UndiciAgent): Start {
  return (request) => {
    const { url } = request;
    const pathStart = url.indexOf('/', url.indexOf('//') + 2);
    let controller: DispatchController | undefined;
    // Set when aborted before undici handed over its controller (the request waited for a socket).
    let abortedWith: Error | undefined;
    let status = 0;
    let retryAfter: string | null = null;
    let resolve!: (response: TransportResponse) => void;
    let reject!: (error: unknown) => void;
    const response = new Promise<TransportResponse>((onAnswer, onError) => {
      resolve = onAnswer;
      reject = onError;
    });
    agent.dispatch(
      {
        origin: pathStart === -1 ? url : url.slice(0, pathStart),
        path: pathStart === -1 ? '/' : url.slice(pathStart),
        method: request.method,
        ...(request.headers === undefined ? {} : { headers: request.headers }),
        ...(request.body === undefined ? {} : { body: request.body }),
      },
      {
        onRequestStart(started) {
          controller = started;
          if (abortedWith) started.abort(abortedWith);
        },
        onResponseStart(_, statusCode, headers) {
          status = statusCode;
          retryAfter = firstHeader(headers['retry-after']);
        },
        onResponseData() {},
        onResponseEnd() {
          resolve({ status, retryAfter });
        },
        onResponseError(_, error) {
          reject(error);
        },
      },
    );
    return {
      response,
      abort(reason) {
        abortedWith ??= abortError(reason);
        if (controller) controller.abort(abortedWith);
        // Still waiting in the pool for a connection: settle now; undici drops it at its turn.
        else reject(abortedWith);
      },
    };
  };
}

/** `send` over a `start`: the signal's abort aborts the request. */
function sendWithSignal(start: Start): Send {
  return (request, signal) => {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    const attempt = start(request);
    const onAbort = () => attempt.abort(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    return attempt.response.finally(() => signal.removeEventListener('abort', onAbort));
  };
}

async function loadUndici(): Promise<UndiciModule | string> {
  const version = typeof process === 'undefined' ? '' : (process.versions?.node ?? '');
  if (!supportsUndici(version)) {
    return `undici needs Node.js 20.18.1 or later (this is ${version || 'not Node.js'}): sending with fetch`;
  }
  try {
    // Loaded on demand so that this module also loads where undici cannot (Node 18).
    return (await import('undici')) as unknown as UndiciModule;
  } catch (error) {
    return `undici could not be loaded (${String(error)}): sending with fetch`;
  }
}

/**
 * Creates the Node transport: undici's keep-alive pool through `request()` (several times faster
 * than `fetch`), or your `dispatcher`, or your `fetch`. Where undici cannot run it falls back to the
 * global `fetch` and says so through `onFallback`.
 */
export function createNodeTransport(options: NodeTransportOptions = {}): NodeTransport {
  if (options.fetch) {
    const send = createFetchTransport({ fetch: options.fetch }).send;
    return { send, kind: () => 'fetch', close: async () => {}, destroy: async () => {} };
  }
  if (options.dispatcher) {
    const send = dispatcherSend(options.dispatcher);
    return { send, kind: () => 'dispatcher', close: async () => {}, destroy: async () => {} };
  }

  let agent: UndiciAgent | undefined;
  let kind: NodeTransportKind | undefined;
  let ready: Start | undefined;
  let loading: Promise<void> | undefined;

  const load = async () => {
    const undici = await loadUndici();
    if (typeof undici === 'string') {
      kind = 'fetch';
      const fetchTransport = createFetchTransport();
      ready = (request) => startRequest(fetchTransport, request);
      options.onFallback?.(undici);
      return;
    }
    const keepAlive = options.keepAliveTimeoutMs ?? 30_000;
    agent = new undici.Agent({
      connections: options.connections ?? 8,
      keepAliveTimeout: keepAlive,
      keepAliveMaxTimeout: keepAlive,
    });
    kind = 'undici';
    ready = agentStart(agent);
  };

  // The first requests wait for undici to load (once); an abort meanwhile cancels before sending.
  const start: Start = (request) => {
    if (ready) return ready(request);
    loading ??= load();
    let aborted: Error | undefined;
    let started: TransportAttempt | undefined;
    const response = loading.then(() => {
      if (aborted) throw aborted;
      started = ready!(request);
      return started.response;
    });
    return {
      response,
      abort(reason) {
        aborted ??= abortError(reason);
        started?.abort(reason);
      },
    };
  };

  return {
    start,
    send: sendWithSignal(start),
    kind: () => kind,
    close: async () => {
      await loading;
      await agent?.close();
    },
    destroy: async () => {
      await loading;
      await agent?.destroy();
    },
  };
}
