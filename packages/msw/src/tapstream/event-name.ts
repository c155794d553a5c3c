import { characterCount } from '../http/index.js';

/** The longest event name the emulator takes, in characters (the SDKs' parameter limit). */
export const MAX_EVENT_NAME_LENGTH = 255;

/**
 * Why an app event name is unsafe (answered `404`, as Tapstream does), or undefined when it is
 * safe. Our rule, as Tapstream never published one: empty, over 255 characters, or holding `/`,
 * `?`, `#`, `\` or a control character (the characters that would break the URL path).
 */
export function unsafeEventNameReason(name: string): string | undefined {
  if (name === '') return 'the event name is empty';
  if (characterCount(name) > MAX_EVENT_NAME_LENGTH) {
    return `the event name is over ${MAX_EVENT_NAME_LENGTH} characters`;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse.
  const unsafe = /[/?#\\\u0000-\u001f\u007f]/.exec(name);
  if (unsafe) return `the event name holds ${JSON.stringify(unsafe[0])}`;
  return undefined;
}
