/** A Tapstream account as the app's SDK is configured with it. */
export interface TapstreamAppAccount {
  readonly account: string;
  readonly secret: string;
}

/**
 * What a Tapstream app SDK sends for an event (`POST /<account>/event/<name>/`, a form body with
 * `secret`, `uuid`, `created-ms`...): the app side of the integration, without a phone. Resolves
 * with the status Tapstream answered.
 */
export async function sendAppEvent(
  app: TapstreamAppAccount,
  event: { readonly uuid: string; readonly name: string; readonly createdMs: number },
): Promise<number> {
  const body = new URLSearchParams({
    secret: app.secret,
    sdkversion: '4.0.0',
    uuid: event.uuid,
    platform: 'iOS',
    'created-ms': String(event.createdMs),
  });
  const response = await fetch(
    `https://api.tapstream.com/${encodeURIComponent(app.account)}/event/${encodeURIComponent(event.name)}/`,
    { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  );
  await response.arrayBuffer();
  return response.status;
}
