import { HttpResponse } from 'msw';

/**
 * The 43-byte transparent 1x1 GIF89a that tracking pixels answer with: header, a 2-colour table,
 * a transparency extension, one image block of one pixel, trailer.
 */
export const TRACKING_GIF: Uint8Array = Uint8Array.from([
  0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
  0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
  0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
]);

/** Headers every emulated answer shares: never cached, and readable by a page when `cors` is on. */
function baseHeaders(cors: boolean, contentType?: string): Headers {
  const headers = new Headers({ 'cache-control': 'no-store' });
  if (contentType) headers.set('content-type', contentType);
  if (cors) headers.set('access-control-allow-origin', '*');
  return headers;
}

/** `200 image/gif` with {@link TRACKING_GIF}. */
export function gifResponse(cors: boolean): Response {
  // A copy per answer: a consumer may transfer or mutate the body's buffer.
  return new HttpResponse(TRACKING_GIF.slice(), {
    status: 200,
    headers: baseHeaders(cors, 'image/gif'),
  });
}

/** `200 application/javascript` with the given source. */
export function scriptResponse(source: string): Response {
  return new HttpResponse(source, {
    status: 200,
    headers: baseHeaders(false, 'application/javascript; charset=utf-8'),
  });
}

/** A JSON answer with the given status. */
export function jsonResponse(body: unknown, cors: boolean, status = 200): Response {
  return new HttpResponse(JSON.stringify(body), {
    status,
    headers: baseHeaders(cors, 'application/json'),
  });
}

/** A short plain-text answer, used for the error statuses the services give. */
export function textResponse(body: string, cors: boolean, status: number): Response {
  return new HttpResponse(body, {
    status,
    headers: baseHeaders(cors, 'text/plain; charset=utf-8'),
  });
}
