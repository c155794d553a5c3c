import { describe, expect, it } from 'vitest';
import {
  LAST_ACTIVE_KEY,
  readLastActive,
  recordPageLoad,
  type VisitStorage,
  writeLastActive,
} from './visit-session.js';

const NOW = Date.UTC(2024, 4, 1, 10, 0, 0);
const MINUTE = 60_000;

function memoryStorage(): VisitStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
  };
}

const page = { url: 'https://shop.example/', referrer: '' };
const names = (events: { event: string }[]) => events.map((e) => e.event);

describe('the visit record in storage', () => {
  it('starts a visit on the first load, none on a reload, and a returning one after 31 minutes idle', () => {
    const storage = memoryStorage();
    expect(names(recordPageLoad(storage, { ...page, now: NOW }))).toEqual(['Visited Site']);
    expect(names(recordPageLoad(storage, { ...page, now: NOW + 5_000 }))).toEqual([]);
    const [visit] = recordPageLoad(storage, { ...page, now: NOW + 5_000 + 31 * MINUTE });
    expect(visit).toMatchObject({ event: 'Visited Site', properties: { Returning: 1 } });
    expect(storage.items.get(LAST_ACTIVE_KEY)).toBe(String(NOW + 5_000 + 31 * MINUTE));
  });

  it('keeps the visit going while the visitor is active: tracked calls move the 30 minutes on', () => {
    const storage = memoryStorage();
    recordPageLoad(storage, { ...page, now: NOW });
    writeLastActive(storage, NOW + 25 * MINUTE);
    expect(recordPageLoad(storage, { ...page, now: NOW + 50 * MINUTE })).toEqual([]);
  });

  it('knows no earlier visit when storage throws or holds something else, and never throws itself', () => {
    const broken: VisitStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(readLastActive(broken)).toBeUndefined();
    expect(names(recordPageLoad(broken, { ...page, now: NOW }))).toEqual(['Visited Site']);
    const odd = memoryStorage();
    odd.items.set(LAST_ACTIVE_KEY, 'yesterday');
    expect(readLastActive(odd)).toBeUndefined();
  });
});
