import { Compile, Settings, Value, type Static, type TSchema } from '@goblog/schema';
import { ConfigError } from './errors.js';
import { isPlainObject } from './flatten.js';
import { describeProblems } from './problems.js';
import { isPrototypeName } from './prototype-keys.js';
import { isArraySchema, isObjectSchema, schemaProperties } from './schema-properties.js';

const validators = new WeakMap<TSchema, ReturnType<typeof Compile>>();

export interface ResolveOptions<S extends TSchema> {
  readonly schema: S;
  /** Built-in defaults: the lowest precedence. */
  readonly defaults?: Readonly<Record<string, unknown>>;
  /** Nested values from the configuration server or repository (unflattened). */
  readonly repository?: Readonly<Record<string, unknown>>;
  /** Overrides: `UPPER_CASE` of each schema key; lists comma separated; numbers coerced by the schema. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Merges environment > repository > defaults (plain objects merged deeply, lists replaced whole), keeps the
 * schema's keys, fills schema defaults, coerces strings to the schema's types and validates.
 * Returns a deeply frozen value; throws one ConfigError naming every bad key.
 */
export function resolveConfig<S extends TSchema>(options: ResolveOptions<S>): Readonly<Static<S>> {
  const properties = schemaProperties(options.schema);
  // Cloned: the result is frozen and must not freeze the caller's defaults with it.
  const merged = structuredClone(deepMerge(options.defaults ?? {}, options.repository ?? {}));
  const picked: Record<string, unknown> = {};
  for (const [key, propertySchema] of properties) {
    const fromEnv = options.env?.[key.toUpperCase()];
    if (fromEnv !== undefined) picked[key] = parseEnvValue(fromEnv, propertySchema);
    else if (key in merged) picked[key] = merged[key];
  }
  const withDefaults = Value.Default(options.schema, picked) as Record<string, unknown>;
  const converted = Value.Convert(options.schema, withDefaults) as Record<string, unknown>;
  let validator = validators.get(options.schema);
  if (!validator) validators.set(options.schema, (validator = Compile(options.schema)));
  if (!validator.Check(converted)) {
    const problems = describeProblems(allErrors(validator, converted), converted, properties);
    throw new ConfigError('INVALID_CONFIG', `invalid configuration: ${problems.join('; ')}`, problems);
  }
  return deepFreeze(converted) as Readonly<Static<S>>;
}

/**
 * Every validation error, not typebox's default first 8: the promise is to name every bad key at once.
 * The limit is a process-wide setting, so it is raised only for this synchronous call and restored.
 */
function allErrors(validator: ReturnType<typeof Compile>, value: unknown) {
  const previous = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: 10_000 });
  try {
    return validator.Errors(value);
  } finally {
    Settings.Set({ maxErrors: previous });
  }
}

function parseEnvValue(text: string, schema: TSchema): unknown {
  if (isArraySchema(schema)) {
    return text
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }
  if (isObjectSchema(schema)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text; // reported by the schema as "must be object"
    }
  }
  return text;
}

function deepMerge(base: Readonly<Record<string, unknown>>, over: Readonly<Record<string, unknown>>) {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    // Assigned to an ordinary object, `__proto__` would replace its prototype instead of adding a key.
    if (isPrototypeName(key)) continue;
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
