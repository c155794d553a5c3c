/** An HTTP exchange the mock network answered (Tapstream, postbacks): `METHOD url -> status`. */
export interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly status: number | 'network error';
}
