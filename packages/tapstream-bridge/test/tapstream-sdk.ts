// What Tapstream's web tracker and app SDKs send, for tests that play the visitor and the app
// without a browser or a phone (the Chromium suite drives the real scripts).

/** A Kissmetrics anonymous id as the JS library makes them: Base64 with `+`, `/` and `=`. */
export function anonymousKmId(seed: number): string {
  return `${String(seed).padStart(4, '0')}+ab/cd${seed % 7}xyz=`;
}

/** The hit the web tracker sends after `addCustomParameter(name, identity)` and `fireHit`. */
export async function fireWebHit(options: {
  readonly account: string;
  readonly timeline: string;
  readonly tracker?: string;
  readonly customParameters?: Readonly<Record<string, string>>;
  readonly fetch?: typeof fetch;
}): Promise<number> {
  const query = new URLSearchParams({ __ts: '', __tl: options.timeline });
  for (const [key, value] of Object.entries(options.customParameters ?? {})) {
    query.append(`custom-${key}`, value);
  }
  const tracker = options.tracker ?? 'javascript_tracker';
  const response = await (options.fetch ?? fetch)(
    `https://api.tapstream.com/${encodeURIComponent(options.account)}/hit/${encodeURIComponent(tracker)}.gif?${query}`,
  );
  await response.arrayBuffer();
  return response.status;
}

/** An app event as the Tapstream SDKs send it (`created-ms` in milliseconds). */
export async function sendAppEvent(options: {
  readonly account: string;
  readonly secret: string;
  readonly uuid: string;
  readonly name: string;
  readonly createdMs: number;
  readonly fetch?: typeof fetch;
}): Promise<number> {
  const body = new URLSearchParams({
    secret: options.secret,
    sdkversion: '3.0.0',
    uuid: options.uuid,
    platform: 'iOS',
    'created-ms': String(options.createdMs),
  });
  const response = await (options.fetch ?? fetch)(
    `https://api.tapstream.com/${encodeURIComponent(options.account)}/event/${encodeURIComponent(options.name)}/`,
    { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  );
  await response.arrayBuffer();
  return response.status;
}
