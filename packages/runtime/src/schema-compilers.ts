import { Compile, type TSchema } from '@goblog/schema';
import type {
  FastifySchemaCompiler,
  FastifySchemaValidationError,
  FastifySerializerCompiler,
  FastifyServerOptions,
} from 'fastify';

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;

/**
 * Fastify's route schemas compiled by typebox, the validator every service already holds for its
 * configuration and messages, instead of Fastify's defaults (Ajv and fast-json-stringify, each with its own
 * copy of Ajv): a service then never loads them. What a route sees is what Ajv under Fastify's defaults
 * gave it: path, query and header values converted to the schema's types (`?limit=10` is a number), the
 * schema's defaults filled in, and a 400 for the first problem, worded as Ajv words it
 * (`params/id must match pattern "^[0-9]{1,20}$"`). Unlike Ajv's `removeAdditional`, a property that
 * `additionalProperties: false` forbids is refused (400), never dropped silently.
 */
export const schemaCompilers = {
  buildValidator: (): FastifySchemaCompiler<TSchema> => compileValidator,
  buildSerializer: (): FastifySerializerCompiler<TSchema> => compileSerializer,
  // Fastify declares these factories with Ajv's own types; what it calls them with and expects back is
  // its FastifySchemaCompiler and FastifySerializerCompiler.
} as unknown as CompilersFactory;

function compileValidator({
  schema,
}: {
  readonly schema: TSchema;
}): ReturnType<FastifySchemaCompiler<TSchema>> {
  const validator = Compile(schema);
  const defaults = hasDefaults(schema);
  const validate = (data: unknown): boolean | { value: unknown } => {
    // A valid input without defaults to fill is taken as it is: the common case costs one check.
    if (!defaults && validator.Check(data)) return true;
    const value = validator.Convert(validator.Default(structuredCloneIfObject(data)));
    if (validator.Check(value)) return { value };
    validate.errors = validator.Errors(value).slice(0, 1);
    return false;
  };
  validate.errors = null as FastifySchemaValidationError[] | null;
  return validate;
}

/**
 * A response serialiser that writes what the schema declares: the properties of an object schema (nested
 * ones too), so that a field a handler's object carries beyond them never leaves the service, as with
 * fast-json-stringify.
 */
function compileSerializer({ schema }: { readonly schema: TSchema }): (data: unknown) => string {
  const project = projection(schema);
  return (data) => JSON.stringify(project(data));
}

type Projection = (value: unknown) => unknown;

const identity: Projection = (value) => value;

function projection(schema: unknown): Projection {
  if (!isRecord(schema)) return identity;
  const { properties, items } = schema;
  if (schema.type === 'object' && isRecord(properties)) {
    const fields = Object.entries(properties).map(([key, sub]) => [key, projection(sub)] as const);
    return (value) => {
      if (!isRecord(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [key, project] of fields) {
        const field = value[key];
        if (field !== undefined) out[key] = project(field);
      }
      return out;
    };
  }
  if (schema.type === 'array' && isRecord(items)) {
    const project = projection(items);
    return (value) => (Array.isArray(value) ? value.map(project) : value);
  }
  return identity;
}

/** Whether `default` appears anywhere in the schema (a property's default, usually). */
function hasDefaults(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.some(hasDefaults);
  if (!isRecord(schema)) return false;
  return 'default' in schema || Object.values(schema).some(hasDefaults);
}

function structuredCloneIfObject(data: unknown): unknown {
  return typeof data === 'object' && data !== null ? structuredClone(data) : data;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
