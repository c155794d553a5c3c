// kmkit's keys and cookies (`kmkit_anonymous_id`, `kmkit:q:<key>:<id>`, `kmkit:<key>:lease`...) and
// the Kissmetrics JS library's cookies (`km_ai`, `km_ni`, `km_lv`, `km_vs`, `km_uq`, `kvcd`).
const OURS = /^(kmkit|km_|kvcd)/;

/**
 * Removes what kmkit stored, and what the Kissmetrics JS stored for it: every key of `storage`
 * (default `localStorage`) whose name starts with `kmkit`, and every such cookie, host-only or set
 * on a parent domain (as the library does). Never throws: storage that refuses keeps nothing new
 * either.
 */
export function eraseStored(storage: Storage | null | undefined): void {
  try {
    storage ??= localStorage;
    // From the end: a removal moves only the keys after it.
    for (let i = storage.length; i--; ) {
      const key = storage.key(i)!;
      if (OURS.test(key)) storage.removeItem(key);
    }
  } catch {}
  try {
    const host = location.hostname.split('.');
    for (const cookie of document.cookie.split('; ')) {
      const name = cookie.split('=')[0]!;
      // Every parent domain, then (an empty `domain`, which browsers ignore) the host-only cookie.
      for (let i = OURS.test(name) ? host.length + 1 : 0; i--; ) {
        // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is async and missing in Safari and Firefox.
        document.cookie = `${name}=;path=/;max-age=0;domain=${host.slice(i).join('.')}`;
      }
    }
  } catch {}
}
