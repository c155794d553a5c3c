import type { KissmetricsClient } from '@kmkit/browser';

/** Where a call's input problems are reported (bad JSON in a form). */
export type InputProblem = (message: string) => void;

function field(form: HTMLFormElement, name: string): string {
  const element = form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement | null;
  return element?.value.trim() ?? '';
}

/** The form's JSON field as an object; `undefined` (and a reported problem) when it is not one. */
function jsonField(
  form: HTMLFormElement,
  name: string,
  problem: InputProblem,
): Record<string, unknown> | undefined {
  const text = field(form, name);
  if (text === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Reported below, like any other non-object.
  }
  problem(`${name} must be a JSON object, e.g. { "plan": "pro" }: nothing was sent`);
  return undefined;
}

/**
 * Makes the call a form describes on a client, with the RudderStack-style arguments the browser
 * client takes: empty fields are left out, as a page would leave them out.
 */
export function callFromForm(
  client: KissmetricsClient,
  form: HTMLFormElement,
  problem: InputProblem,
): string | undefined {
  switch (form.dataset.call) {
    case 'identify': {
      const traits = jsonField(form, 'traits', problem);
      if (!traits) return undefined;
      const userId = field(form, 'userId');
      if (userId === '') client.identify(traits);
      else client.identify(userId, traits);
      return `identify(${userId === '' ? '' : `'${userId}', `}traits)`;
    }
    case 'page': {
      const properties = jsonField(form, 'properties', problem);
      if (!properties) return undefined;
      const category = field(form, 'category');
      const name = field(form, 'name');
      if (category !== '' && name !== '') client.page(category, name, properties);
      else if (name !== '') client.page(name, properties);
      // page('Docs', props) would be the page *named* Docs: a category alone is a spec message.
      else if (category !== '') client.send({ type: 'page', category, properties });
      else client.page(properties);
      return `page(${[category, name]
        .filter(Boolean)
        .map((part) => `'${part}', `)
        .join('')}properties)`;
    }
    case 'track': {
      const properties = jsonField(form, 'properties', problem);
      if (!properties) return undefined;
      const event = field(form, 'event');
      client.track(event, properties);
      return `track('${event}', properties)`;
    }
    case 'alias': {
      const newId = field(form, 'newId');
      const previousId = field(form, 'previousId');
      if (previousId === '') client.alias(newId);
      else client.alias(newId, previousId);
      return `alias('${newId}'${previousId === '' ? '' : `, '${previousId}'`})`;
    }
    case 'group': {
      const traits = jsonField(form, 'traits', problem);
      if (!traits) return undefined;
      const groupId = field(form, 'groupId');
      client.group(groupId, traits);
      return `group('${groupId}', traits)`;
    }
    case 'reset':
      client.reset();
      return 'reset()';
    default:
      return undefined;
  }
}
