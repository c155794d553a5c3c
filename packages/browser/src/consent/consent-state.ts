/**
 * Whether the visitor lets the site record them: `'granted'` (send and store), `'pending'` (not
 * asked yet, or no answer: hold calls in memory, store nothing), `'denied'` (send and store nothing,
 * and remove what was stored).
 */
export type ConsentState = 'granted' | 'pending' | 'denied';

/** The consent options both modes take. */
export interface ConsentOptions {
  /** Where the client starts. Default `'granted'`. */
  readonly consent?: ConsentState;
  /**
   * Start `'denied'` when the browser sends Global Privacy Control
   * (`navigator.globalPrivacyControl === true`), whatever `consent` says. Default true.
   */
  readonly respectGlobalPrivacyControl?: boolean;
}

/** The three states, for checks. */
export const CONSENT_STATES: readonly unknown[] = ['granted', 'pending', 'denied'];

/**
 * Where a client starts: `consent` (default `'granted'`), but `'denied'` when the browser sends
 * Global Privacy Control, a legally binding opt-out in California and several other US states,
 * unless the site turns that off.
 */
export const startingConsent = ({
  consent = 'granted',
  respectGlobalPrivacyControl,
}: ConsentOptions): ConsentState =>
  respectGlobalPrivacyControl !== false &&
  (navigator as { globalPrivacyControl?: unknown }).globalPrivacyControl === true
    ? 'denied'
    : consent;
