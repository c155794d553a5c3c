import type { KissmetricsPerson, ReceivedTrackingRequest } from '@kmkit/msw';
import { isoSeconds } from './clock.js';
import type { CallError, CallWarning, Person, TrackingRequestView } from './types.js';

/** A person of the emulator, with event times as ISO 8601 UTC. */
export function toPerson(person: KissmetricsPerson): Person {
  return {
    identities: [...person.identities],
    events: person.events.map((event) => ({
      name: event.name,
      time: isoSeconds(event.time),
      properties: { ...event.properties },
    })),
    properties: { ...person.properties },
  };
}

/** A request the emulator received, without its receive time (the only part that varies). */
export function toRequestView(request: ReceivedTrackingRequest): TrackingRequestView {
  return {
    method: request.method,
    path: request.path,
    params: { ...request.params },
    status: request.status,
    ...(request.reason === undefined ? {} : { reason: request.reason }),
    url: request.url,
  };
}

/** What a thrown value tells a user: its name, and `code` and `path` when it has them. */
export function toCallError(error: unknown): CallError {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error) };
  const { code, path } = error as { code?: unknown; path?: unknown };
  return {
    name: error.name,
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof path === 'string' ? { path } : {}),
    message: error.message,
  };
}

/** Warnings as plain `{ code, path, message }` objects. */
export function toCallWarnings(
  warnings: readonly { code: string; path: string; message: string }[],
): CallWarning[] {
  return warnings.map(({ code, path, message }) => ({ code, path, message }));
}
