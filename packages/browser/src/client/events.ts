import { createEmitter, type Emitter, isKmValidationError, type KmWarning } from '@kmkit/core';
import type { CallName, KissmetricsEvents } from './types.js';

/** A client's emitter, with the reporting every mode shares. */
export interface ClientEvents {
  readonly emitter: Emitter<KissmetricsEvents>;
  /** Reports a failed call: `invalid` for bad input (counted), else a `call_failed` warning. */
  report(call: CallName, error: unknown): void;
  /** Reports what the mapping changed or left out of an event that was still sent. */
  warn(messageId: string, warnings: readonly KmWarning[]): void;
  /** Calls refused for invalid input so far. */
  invalid(): number;
}

/** Creates a client's events. A listener that throws is reported as a `listener_failed` warning. */
export function createClientEvents(): ClientEvents {
  const emitter = createEmitter<KissmetricsEvents>((error, event) => {
    if (event !== 'warning') {
      emitter.emit('warning', {
        code: 'listener_failed',
        message: `a "${String(event)}" listener threw`,
        error,
      });
    }
  });
  let invalid = 0;
  return {
    emitter,
    report(call, error) {
      if (isKmValidationError(error)) {
        invalid++;
        emitter.emit('invalid', { call, error, message: error.message });
      } else {
        emitter.emit('warning', {
          code: 'call_failed',
          message: `${call}() failed: ${error instanceof Error ? error.message : String(error)}`,
          error,
        });
      }
    },
    warn(messageId, warnings) {
      for (const warning of warnings) emitter.emit('warning', { ...warning, messageId });
    },
    invalid: () => invalid,
  };
}
