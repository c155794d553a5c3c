/** A postback URL template, with `TS{...}` macros, called for the app events of attributed sessions. */
export interface PostbackTemplate {
  /** e.g. `https://example.com/ts?id=TS{hit.custom_parameters.km_identity}&event=TS{event.name}` */
  readonly url: string;
  /** Only these event names (exact match). Default: every event. */
  readonly events?: readonly string[];
}

/** What a postback's macros read: the credited hit, and the app event with its session. */
export interface PostbackContext {
  readonly hit: {
    readonly id: number;
    readonly tracker: string;
    readonly created: number;
    readonly session_id: string;
    readonly custom_parameters: Readonly<Record<string, string>>;
  };
  readonly event: {
    readonly name: string;
    readonly created: number;
    readonly session: string;
    readonly ip: string;
    readonly custom_parameters: Readonly<Record<string, string>>;
  };
}

function own(record: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function macroValue(macro: string, context: PostbackContext): string | undefined {
  const { hit, event } = context;
  if (macro.startsWith('hit.custom_parameters.')) {
    return own(hit.custom_parameters, macro.slice('hit.custom_parameters.'.length));
  }
  if (macro.startsWith('event.custom_parameters.')) {
    return own(event.custom_parameters, macro.slice('event.custom_parameters.'.length));
  }
  switch (macro) {
    case 'hit.tracker.slug':
      return hit.tracker;
    case 'hit.created':
      return String(hit.created);
    case 'hit.session_id':
      return hit.session_id;
    case 'hit.id':
      return String(hit.id);
    case 'event.name':
      return event.name;
    case 'event.timestamp':
      return String(event.created);
    case 'event.ip':
      return event.ip;
    case 'event.session':
      return event.session;
    default:
      return undefined;
  }
}

/**
 * Expands the `TS{...}` macros of a postback URL template: `hit.custom_parameters.<key>`,
 * `hit.tracker.slug`, `hit.created` (seconds), `hit.session_id`, `hit.id`, `event.name`,
 * `event.timestamp` (seconds), `event.ip`, `event.session` (the app's event session) and
 * `event.custom_parameters.<key>`. Values are percent-encoded; a missing value or an unknown
 * macro becomes an empty string, as Tapstream does.
 */
export function expandPostbackUrl(template: string, context: PostbackContext): string {
  return template.replace(/TS\{([^}]*)\}/g, (_, macro: string) =>
    encodeURIComponent(macroValue(macro.trim(), context) ?? ''),
  );
}
