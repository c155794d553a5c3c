import { DEV } from '../model/development.js';
import { KmValidationError } from '../model/errors.js';
import { describe } from '../model/parse-event.js';
import { closestName } from './closest-name.js';

/** What `typeof` says of a value, with `null` and arrays told apart from objects. */
export type OptionKind = 'string' | 'number' | 'boolean' | 'function' | 'object' | 'array' | 'null';

/**
 * How one option is checked:
 *
 * - a kind (`'number'`), or two (`'string | function'`): absent, or a value of that kind;
 * - a kind with `!` (`'string!'`): required, and a string must not be blank;
 * - `'any'`: any value (checked by the code that reads it);
 * - a list of values (`['refuse', 'drop-oldest']`): absent, or one of them;
 * - an {@link OptionsSpec}: absent, or an object whose own options are checked the same way.
 */
export type OptionRule =
  | OptionKind
  | `${OptionKind} | ${OptionKind}`
  | `${OptionKind}!`
  | 'any'
  | readonly (string | number | boolean)[]
  | OptionsSpec;

/** The options a function takes, by name, each with its {@link OptionRule}. */
export interface OptionsSpec {
  readonly [name: string]: OptionRule;
}

/**
 * A spec that names every option of the options type `T`, and only those: declare a client's spec
 * `satisfies OptionsSpecOf<ClientOptions>`, so that adding an option without its rule does not
 * compile (at run time the checker would refuse the new option as unknown).
 */
export type OptionsSpecOf<T> = { readonly [K in keyof T]-?: OptionRule };

const kindOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

const article = (kind: string) =>
  kind === 'null' ? kind : `${/^[ao]/.test(kind) ? 'an' : 'a'} ${kind}`;

const fail = (path: string, message: string | false): never => {
  throw new KmValidationError('invalid_option', path, message || '');
};

/**
 * Checks the options object of a kmkit function before anything is created: it must be an object,
 * hold no name its spec does not know (`apikey` -> "did you mean apiKey?"), and each option must
 * follow its rule. The first problem throws; the sentences (and the suggestions) are left out of
 * production builds, the code and the path never are.
 *
 * @example
 * ```ts
 * checkOptions(options, { apiKey: 'string!', preset: ['default', 'segment'], retry: { maxAttempts: 'number' } }, 'createKissmetrics');
 * ```
 *
 * @param caller The function's name, for messages (`createKissmetrics`).
 * @throws {KmValidationError} `invalid_option` with the option's path (`apikey`, `retry.maxAttempts`;
 * `''` when `options` itself is not an object).
 */
export function checkOptions(options: unknown, spec: OptionsSpec, caller: string): void {
  if (kindOf(options) !== 'object') {
    const required = (name: string) => `${spec[name]}`.endsWith('!');
    fail(
      '',
      DEV &&
        `${caller} takes an options object such as { ${[...Object.keys(spec).filter(required), '...'].join(', ')} }, got ${describe(options)}`,
    );
  }
  checkObject(options as Record<string, unknown>, spec, '', caller);
}

function checkObject(
  options: Record<string, unknown>,
  spec: OptionsSpec,
  prefix: string,
  caller: string,
): void {
  const names = Object.keys(spec);
  for (const name of Object.keys(options)) {
    if (Object.hasOwn(spec, name)) continue;
    const meant = DEV && closestName(name, names);
    fail(
      prefix + name,
      DEV &&
        `${prefix}${name} is not an option of ${caller}: ${meant ? `did you mean ${prefix}${meant}?` : `the options${prefix ? ` of ${prefix.slice(0, -1)}` : ''} are ${names.join(', ')}`}`,
    );
  }
  for (const name of names) {
    const rule = spec[name]!;
    const path = prefix + name;
    const value = options[name];
    if (Array.isArray(rule)) {
      if (value === undefined || (rule as readonly unknown[]).includes(value)) continue;
      const meant = DEV && typeof value === 'string' && closestName(value, rule.map(String));
      fail(
        path,
        DEV &&
          `${path} is ${describe(value)}, not one of ${rule.map((allowed) => JSON.stringify(allowed)).join(', ')}${meant ? `: did you mean ${JSON.stringify(meant)}?` : ''}`,
      );
    } else if (typeof rule === 'object') {
      if (value === undefined) continue;
      if (kindOf(value) !== 'object') {
        fail(path, DEV && `${path} must be an object, got ${describe(value)}`);
      }
      checkObject(value as Record<string, unknown>, rule as OptionsSpec, `${path}.`, caller);
    } else if (rule !== 'any') {
      const required = rule.endsWith('!');
      const kinds = (required ? rule.slice(0, -1) : rule).split(' | ');
      const expected = DEV && kinds.map(article).join(' or ');
      if (value === undefined) {
        if (required) fail(path, DEV && `${path} is required: pass ${expected}`);
      } else if (!kinds.includes(kindOf(value))) {
        fail(path, DEV && `${path} must be ${expected}, got ${describe(value)}`);
      } else if (required && typeof value === 'string' && value.trim() === '') {
        fail(path, DEV && `${path} must not be blank, got ${describe(value)}`);
      }
    }
  }
}
