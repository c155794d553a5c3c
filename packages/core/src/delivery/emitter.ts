/** A listener of one event kind. */
export type Listener<T> = (payload: T) => void;

/** A minimal typed event emitter. `on` returns a function that removes the listener. */
export interface Emitter<Events extends object> {
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void;
  emit<K extends keyof Events>(event: K, payload: Events[K]): void;
}

/**
 * Creates a typed emitter. A listener that throws does not stop delivery or other listeners: its
 * error is handed to `onListenerError`.
 */
export function createEmitter<Events extends object>(
  onListenerError: (error: unknown, event: keyof Events) => void = () => {},
): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<Listener<never>>>();
  return {
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(listener as Listener<never>);
      return () => {
        set.delete(listener as Listener<never>);
      };
    },
    emit(event, payload) {
      const set = listeners.get(event);
      if (!set) return;
      for (const listener of set) {
        try {
          (listener as Listener<typeof payload>)(payload);
        } catch (error) {
          onListenerError(error, event);
        }
      }
    },
  };
}
