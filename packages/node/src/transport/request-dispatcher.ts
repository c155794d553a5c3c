/**
 * The part of an undici `Dispatcher` the Node transport uses: its promise-returning `request()`.
 * `Pool`, `Agent`, `ProxyAgent`, `EnvHttpProxyAgent` and `MockAgent` of undici 6 and 7 all fit, so
 * a proxy or a test double is passed as `dispatcher` without kmkit depending on your undici's types.
 */
export interface RequestDispatcher {
  request(options: {
    origin: string;
    path: string;
    method: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string;
    signal?: AbortSignal;
  }): Promise<{
    statusCode: number;
    headers: Record<string, string | string[] | undefined>;
    body: { dump(options?: { limit: number }): Promise<void> };
  }>;
}
