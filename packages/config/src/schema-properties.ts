import type { TSchema } from 'typebox';

/**
 * The top-level properties of an object schema, looking through `allOf` (Type.Intersect), so a service
 * may compose its schema either with Type.Intersect or Type.Evaluate.
 */
export function schemaProperties(schema: TSchema): Map<string, TSchema> {
  const out = new Map<string, TSchema>();
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const { properties, allOf } = node as { properties?: Record<string, TSchema>; allOf?: unknown[] };
    if (properties) for (const [key, sub] of Object.entries(properties)) if (!out.has(key)) out.set(key, sub);
    if (Array.isArray(allOf)) allOf.forEach(visit);
  };
  visit(schema);
  return out;
}

export function isArraySchema(schema: TSchema | undefined): boolean {
  return schemaKeyword(schema, 'type') === 'array';
}

export function isObjectSchema(schema: TSchema | undefined): boolean {
  return schemaKeyword(schema, 'type') === 'object';
}

/** Reads a JSON Schema keyword or annotation (TSchema declares none). */
export function schemaKeyword(schema: TSchema | undefined, name: string): unknown {
  return schema === undefined ? undefined : (Reflect.get(schema, name) as unknown);
}
