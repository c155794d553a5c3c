import type { SpecMessage } from '@kmkit/core';

/**
 * What the document says of the page being viewed, as RudderStack's and Segment's browser SDKs add
 * it to every page call: `url`, `path`, `search`, `title`, `referrer`. Empty values say nothing in
 * a report, so they are left out.
 */
export function pageContext(): Record<string, string> {
  const context: Record<string, string> = {};
  const values = {
    url: location.href,
    path: location.pathname,
    search: location.search,
    title: document.title,
    referrer: document.referrer,
  };
  for (const [name, value] of Object.entries(values)) if (value) context[name] = value;
  return context;
}

/**
 * A page message with the document's page context under its properties; a value the caller passed
 * wins (`null` leaves one out). Properties that are not an object (refused by the mapping) or that
 * cannot be read are left as they are.
 */
export function withPageContext(message: SpecMessage): SpecMessage {
  const { properties } = message as { properties?: unknown };
  if (properties != null && (typeof properties !== 'object' || Array.isArray(properties))) {
    return message;
  }
  try {
    return { ...message, properties: { ...pageContext(), ...properties } };
  } catch {
    // A getter of the caller's threw: the mapping reports it.
    return message;
  }
}
