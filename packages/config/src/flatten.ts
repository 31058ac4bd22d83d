/** A flat property map in Spring's form: `a.b`, `list[0]`, values keep their YAML types. */
export type FlatProperties = Record<string, unknown>;

/**
 * Flattens nested YAML data the way Spring's YamlProcessor does: nested keys joined by `.`, list items as
 * `key[i]`, an empty list or map becomes `""`, and so does null. Insertion order follows the document.
 */
export function flatten(data: unknown): FlatProperties {
  const out: FlatProperties = {};
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      if (value.length === 0 && path) out[path] = '';
      value.forEach((item, i) => {
        walk(item, `${path}[${i}]`);
      });
    } else if (isPlainObject(value)) {
      const entries = Object.entries(value);
      if (entries.length === 0 && path) out[path] = '';
      for (const [key, item] of entries) walk(item, join(path, key));
    } else if (path) {
      out[path] = value ?? '';
    }
  };
  walk(data, '');
  return out;
}

function join(path: string, key: string): string {
  if (!path) return key;
  return key.startsWith('[') ? `${path}${key}` : `${path}.${key}`;
}

type Segment = string | number;

/** Splits `a.b[0].c` into ['a', 'b', 0, 'c']. */
export function parsePath(key: string): Segment[] {
  const segments: Segment[] = [];
  for (const part of key.split('.')) {
    const match = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) {
      segments.push(part);
      continue;
    }
    if (match[1]) segments.push(match[1]);
    for (const index of (match[2] ?? '').matchAll(/\[(\d+)\]/g)) segments.push(Number(index[1]));
  }
  return segments;
}

/**
 * The inverse of flatten: `a.b` -> { a: { b } }, `list[0]` -> { list: [...] }. Where a key is both a value and
 * a parent (`a: 1` and `a.b: 2`), the nested form wins. Holes in lists are dropped.
 */
export function unflatten(flat: FlatProperties): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const segments = parsePath(key);
    let node: Record<string | number, unknown> = root;
    segments.forEach((segment, i) => {
      const last = i === segments.length - 1;
      if (last) {
        if (!isContainer(node[segment])) node[segment] = value;
        return;
      }
      const nextIsIndex = typeof segments[i + 1] === 'number';
      if (!isContainer(node[segment])) node[segment] = nextIsIndex ? [] : {};
      node = node[segment] as Record<string | number, unknown>;
    });
  }
  return compact(root) as Record<string, unknown>;
}

function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((_, i) => i in value).map(compact);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]));
  return value;
}

function isContainer(value: unknown): boolean {
  return Array.isArray(value) || isPlainObject(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
