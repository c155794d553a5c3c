import { kissmetricsNameKey, toKissmetricsName } from './names.js';

/** One recorded event of a person, as Kissmetrics shows it. */
export interface KissmetricsEvent {
  /** The event name as first seen in the product (after `,`/`:` became spaces). */
  readonly name: string;
  /** Unix seconds: `_t` when sent with `_d=1`, else the server's receive time. */
  readonly time: number;
  /** The properties sent with the event, by their names as first seen, values as on the wire. */
  readonly properties: Readonly<Record<string, string>>;
}

/** A person: every identity aliased together, their events, and their current properties. */
export interface KissmetricsPerson {
  /** Every identity of the person, in the order the emulator first saw them. */
  readonly identities: readonly string[];
  /** Events sorted by time (ties in arrival order). */
  readonly events: readonly KissmetricsEvent[];
  /** Each property's latest value by time (a same-second write is a duplicate: the first one stays). */
  readonly properties: Readonly<Record<string, string>>;
}

/** One retained write of a property: its time (Unix seconds) and value. */
export interface PropertyChange {
  readonly time: number;
  readonly value: string;
}

/** What a write did: changed something, or was a duplicate that Kissmetrics ignores. */
export type WriteOutcome = 'accepted' | 'duplicate';

interface Instance {
  readonly time: number;
  /** Arrival order, so that ties keep the first one received. */
  readonly seq: number;
}

interface EventInstance extends Instance {
  /** Property name keys (see {@link kissmetricsNameKey}) and wire values. */
  readonly properties: ReadonlyMap<string, string>;
}

interface PropertyWrite extends Instance {
  readonly value: string;
}

/** The instances of one event name or one property of a person: sorted, one per second, capped. */
interface History<T extends Instance> {
  readonly items: T[];
  readonly seconds: Set<number>;
}

interface PersonRecord {
  identities: string[];
  readonly events: Map<string, History<EventInstance>>;
  readonly properties: Map<string, History<PropertyWrite>>;
}

function byTimeThenArrival(a: Instance, b: Instance): number {
  return a.time - b.time || a.seq - b.seq;
}

/**
 * The people of one Kissmetrics product, built with Kissmetrics' rules: identities joined by alias
 * (union-find: transitive, order-free, irreversible), events and property writes deduplicated per
 * person by name and second, and only the last `historyLimit` instances of each event name and of
 * each property kept (Kissmetrics keeps 1000).
 */
export class PeopleStore {
  readonly #historyLimit: number;
  /** Union-find forest; a root is the earliest-seen identity of its person. */
  readonly #parent = new Map<string, string>();
  readonly #firstSeen = new Map<string, number>();
  readonly #records = new Map<string, PersonRecord>();
  /** Display names by comparison key: a product shows a name as it was first sent. */
  readonly #eventNames = new Map<string, string>();
  readonly #propertyNames = new Map<string, string>();
  #seq = 0;

  constructor(historyLimit = 1000) {
    this.#historyLimit = historyLimit;
  }

  /** Forgets everything. */
  clear(): void {
    this.#parent.clear();
    this.#firstSeen.clear();
    this.#records.clear();
    this.#eventNames.clear();
    this.#propertyNames.clear();
    this.#seq = 0;
  }

  /** True when the identity belongs to a person. */
  has(identity: string): boolean {
    return this.#parent.has(toKissmetricsName(identity));
  }

  /** Records an event (and sets its properties on the person at the event's time). */
  recordEvent(
    identity: string,
    name: string,
    time: number,
    properties: Iterable<readonly [string, string]>,
  ): WriteOutcome {
    const record = this.#recordOf(identity);
    const key = this.#register(this.#eventNames, name);
    let history = record.events.get(key);
    if (!history) {
      history = { items: [], seconds: new Set() };
      record.events.set(key, history);
    }
    // A duplicate event is ignored whole: its properties are not written either.
    if (history.seconds.has(time)) return 'duplicate';
    const eventProperties = new Map<string, string>();
    for (const [propertyName, value] of properties) {
      const propertyKey = this.#register(this.#propertyNames, propertyName);
      if (!eventProperties.has(propertyKey)) eventProperties.set(propertyKey, value);
    }
    this.#insert(history, { time, seq: this.#seq++, properties: eventProperties });
    this.#writeProperties(record, time, eventProperties);
    return 'accepted';
  }

  /** Sets properties at a time. A duplicate when every write was a same-second duplicate. */
  setProperties(
    identity: string,
    time: number,
    properties: Iterable<readonly [string, string]>,
  ): WriteOutcome {
    const record = this.#recordOf(identity);
    const writes = new Map<string, string>();
    for (const [propertyName, value] of properties) {
      const key = this.#register(this.#propertyNames, propertyName);
      if (!writes.has(key)) writes.set(key, value);
    }
    const written = this.#writeProperties(record, time, writes);
    return writes.size > 0 && written === 0 ? 'duplicate' : 'accepted';
  }

  /** Declares two identities one person. A duplicate when they already were. */
  alias(first: string, second: string): WriteOutcome {
    const known = this.has(first) && this.has(second);
    const a = this.#rootOf(first);
    const b = this.#rootOf(second);
    if (a === b) return known ? 'duplicate' : 'accepted';
    const [keep, gone] = this.#firstSeen.get(a)! < this.#firstSeen.get(b)! ? [a, b] : [b, a];
    this.#parent.set(gone, keep);
    this.#merge(this.#records.get(keep)!, this.#records.get(gone)!);
    this.#records.delete(gone);
    return 'accepted';
  }

  /** The person an identity belongs to (through any chain of aliases), or undefined. */
  person(identity: string): KissmetricsPerson | undefined {
    const name = toKissmetricsName(identity);
    if (!this.#parent.has(name)) return undefined;
    return this.#snapshot(this.#records.get(this.#find(name))!);
  }

  /** Every retained write of one property of a person, oldest first. */
  propertyHistory(identity: string, property: string): PropertyChange[] {
    const name = toKissmetricsName(identity);
    if (!this.#parent.has(name)) return [];
    const record = this.#records.get(this.#find(name))!;
    const history = record.properties.get(kissmetricsNameKey(property));
    return history ? history.items.map(({ time, value }) => ({ time, value })) : [];
  }

  /** Every person, in the order their first identity was seen. */
  people(): KissmetricsPerson[] {
    return [...this.#records.values()].map((record) => this.#snapshot(record));
  }

  #register(names: Map<string, string>, name: string): string {
    const key = kissmetricsNameKey(name);
    if (!names.has(key)) names.set(key, toKissmetricsName(name));
    return key;
  }

  #find(identity: string): string {
    let root = identity;
    for (let parent = this.#parent.get(root)!; parent !== root; parent = this.#parent.get(root)!) {
      root = parent;
    }
    // Path compression: later look-ups of this chain take one step.
    for (let node = identity; node !== root; ) {
      const next = this.#parent.get(node)!;
      this.#parent.set(node, root);
      node = next;
    }
    return root;
  }

  #rootOf(identity: string): string {
    const name = toKissmetricsName(identity);
    if (!this.#parent.has(name)) {
      this.#parent.set(name, name);
      this.#firstSeen.set(name, this.#firstSeen.size);
      this.#records.set(name, { identities: [name], events: new Map(), properties: new Map() });
      return name;
    }
    return this.#find(name);
  }

  #recordOf(identity: string): PersonRecord {
    return this.#records.get(this.#rootOf(identity))!;
  }

  #writeProperties(
    record: PersonRecord,
    time: number,
    writes: ReadonlyMap<string, string>,
  ): number {
    let written = 0;
    for (const [key, value] of writes) {
      let history = record.properties.get(key);
      if (!history) {
        history = { items: [], seconds: new Set() };
        record.properties.set(key, history);
      }
      if (history.seconds.has(time)) continue;
      this.#insert(history, { time, seq: this.#seq++, value });
      written++;
    }
    return written;
  }

  #insert<T extends Instance>(history: History<T>, item: T): void {
    const { items } = history;
    // Usually the newest: append; otherwise find the place after every earlier-or-equal time.
    let index = items.length;
    if (index > 0 && items[index - 1]!.time > item.time) {
      let low = 0;
      while (low < index) {
        const middle = (low + index) >>> 1;
        if (items[middle]!.time <= item.time) low = middle + 1;
        else index = middle;
      }
    }
    items.splice(index, 0, item);
    history.seconds.add(item.time);
    this.#cap(history);
  }

  #cap<T extends Instance>(history: History<T>): void {
    const excess = history.items.length - this.#historyLimit;
    if (excess <= 0) return;
    for (const dropped of history.items.splice(0, excess)) history.seconds.delete(dropped.time);
  }

  #merge(keep: PersonRecord, gone: PersonRecord): void {
    keep.identities = [...keep.identities, ...gone.identities].sort(
      (a, b) => this.#firstSeen.get(a)! - this.#firstSeen.get(b)!,
    );
    this.#mergeHistories(keep.events, gone.events);
    this.#mergeHistories(keep.properties, gone.properties);
  }

  // The merged person obeys the same rules: one instance per name and second (the first received
  // stays), and the history limit.
  #mergeHistories<T extends Instance>(
    into: Map<string, History<T>>,
    from: ReadonlyMap<string, History<T>>,
  ): void {
    for (const [key, incoming] of from) {
      const existing = into.get(key);
      if (!existing) {
        into.set(key, incoming);
        continue;
      }
      const items: T[] = [];
      const seconds = new Set<number>();
      for (const item of [...existing.items, ...incoming.items].sort(byTimeThenArrival)) {
        if (seconds.has(item.time)) continue;
        seconds.add(item.time);
        items.push(item);
      }
      const merged = { items, seconds };
      this.#cap(merged);
      into.set(key, merged);
    }
  }

  #snapshot(record: PersonRecord): KissmetricsPerson {
    const events: EventInstance[] = [];
    const names = new Map<EventInstance, string>();
    for (const [key, history] of record.events) {
      for (const item of history.items) {
        events.push(item);
        names.set(item, this.#eventNames.get(key)!);
      }
    }
    events.sort(byTimeThenArrival);
    const properties: [string, string][] = [];
    for (const [key, history] of record.properties) {
      const latest = history.items.at(-1);
      if (latest) properties.push([this.#propertyNames.get(key)!, latest.value]);
    }
    return {
      identities: [...record.identities],
      events: events.map((event) => ({
        name: names.get(event)!,
        time: event.time,
        properties: Object.fromEntries(
          [...event.properties].map(([key, value]) => [this.#propertyNames.get(key)!, value]),
        ),
      })),
      properties: Object.fromEntries(properties),
    };
  }
}
