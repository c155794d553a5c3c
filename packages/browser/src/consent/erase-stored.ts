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
    // Names first: removing while counting would skip the next key.
    for (const key of Array.from({ length: storage.length }, (_, i) => storage!.key(i)!)) {
      if (OURS.test(key)) storage.removeItem(key);
    }
  } catch {}
  try {
    const host = location.hostname.split('.');
    for (const cookie of document.cookie.split('; ')) {
      const name = cookie.split('=')[0]!;
      if (!OURS.test(name)) continue;
      // Host-only first, then every parent domain (a browser ignores the ones it never set).
      for (let i = -1; i < host.length - 1; i++) {
        // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is async and missing in Safari and Firefox.
        document.cookie = `${name}=; path=/; max-age=0${i < 0 ? '' : `; domain=${host.slice(i).join('.')}`}`;
      }
    }
  } catch {}
}
