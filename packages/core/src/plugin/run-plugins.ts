import { KmValidationError } from '../model/errors.js';
import { isKmEvent, type KmEvent } from '../model/event.js';

/**
 * A step between parsing and mapping. `before` plugins run first (validation, filtering,
 * consent), then `enrichment` plugins (adding context such as attribution).
 *
 * `process` is synchronous on purpose: clients validate and spool an event before `track()`
 * returns. It must not change the event it receives: return a new event (a spread copy of it, or
 * `withProperties(event, extra)`), the same event to leave it as it is, or `null` to drop it.
 *
 * @example
 * ```ts
 * const dropBots: KmPlugin = {
 *   name: 'drop-bots',
 *   type: 'before',
 *   process: (event) => (String(event.context.userAgent).includes('bot') ? null : event),
 * };
 * ```
 */
export interface KmPlugin {
  /** Named in `droppedBy` and in `errors`. */
  readonly name: string;
  readonly type: 'before' | 'enrichment';
  process(event: KmEvent): KmEvent | null;
}

/** A plugin that threw or returned something other than an event or `null`; it was skipped. */
export interface KmPluginError {
  readonly plugin: string;
  readonly error: unknown;
}

/** What {@link runPlugins} did with an event. */
export interface KmPluginRunResult {
  /** The event to map, or `null` when a plugin dropped it. */
  readonly event: KmEvent | null;
  /** The plugin that returned `null`; report the event as dropped. */
  readonly droppedBy?: string;
  /** Plugins that failed; each was skipped and the event went on unchanged by it. */
  readonly errors: KmPluginError[];
}

const STAGES = ['before', 'enrichment'] as const;

/**
 * Runs every `before` plugin in order, then every `enrichment` plugin, each on the previous
 * one's result. A plugin returning `null` drops the event (`droppedBy`). A plugin that throws, or
 * returns something that is not a parsed event (e.g. `undefined`, or a hand-built object without
 * the parse brand), is skipped: the event continues as it was, and the failure is in `errors`.
 * A plugin of an unknown `type` is reported in `errors` and never run.
 */
export function runPlugins(event: KmEvent, plugins: readonly KmPlugin[]): KmPluginRunResult {
  const errors: KmPluginError[] = [];
  let current = event;
  for (const plugin of plugins) {
    if (plugin.type !== 'before' && plugin.type !== 'enrichment') {
      errors.push({
        plugin: plugin.name,
        error: new KmValidationError(
          'invalid_option',
          'type',
          `plugin "${plugin.name}" has type ${JSON.stringify(plugin.type)}: use "before" or "enrichment"`,
        ),
      });
    }
  }
  for (const stage of STAGES) {
    for (const plugin of plugins) {
      if (plugin.type !== stage) continue;
      let result: unknown;
      try {
        result = plugin.process(current);
      } catch (error) {
        errors.push({ plugin: plugin.name, error });
        continue;
      }
      if (result === null) return { event: null, droppedBy: plugin.name, errors };
      if (!isKmEvent(result)) {
        errors.push({
          plugin: plugin.name,
          error: new KmValidationError(
            'invalid_message',
            '',
            `plugin "${plugin.name}" returned ${result === undefined ? 'undefined' : 'an object that is not a parsed event'}: return the event, a spread copy of it, or null to drop it`,
          ),
        });
        continue;
      }
      current = result;
    }
  }
  return { event: current, errors };
}
