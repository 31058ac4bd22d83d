import { touchesPrototype } from './prototype-keys.js';

/** A flat property map in Spring's form: `a.b`, `list[0]`, values keep their YAML types. */
export type FlatProperties = Record<string, unknown>;

/**
 * Flattens nested YAML data the way Spring's YamlProcessor does: nested keys joined by `.`, list items as
 * `key[i]`, an empty list or map becomes `""`, and so does null. Insertion order follows the document.
 * Keys naming prototype properties (`__proto__`, `prototype`, `constructor`) are left out, with all below
 * them; their flat names are appended to `ignored` when given.
 */
export function flatten(data: unknown, ignored?: string[]): FlatProperties {
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
      for (const [key, item] of entries) {
        if (!touchesPrototype(key)) walk(item, join(path, key));
        else if (ignored) for (const leaf of leafKeys(item, join(path, key))) ignored.push(leaf);
      }
    } else if (path) {
      out[path] = value ?? '';
    }
  };
  walk(data, '');
  return out;
}

/** The flat keys a value below `path` would have made: what a warning about dropping it names. */
function leafKeys(value: unknown, path: string): string[] {
  const below = Object.keys(flatten(value)).map((key) => join(path, key));
  return below.length > 0 ? below : [path];
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
 * a parent (`a: 1` and `a.b: 2`), the nested form wins. Holes in lists are dropped, and so are keys with a
 * segment naming a prototype property and names below a list (`list.length`). Objects are rebuilt without a
 * prototype: whatever the keys, nothing is written through one.
 */
export function unflatten(flat: FlatProperties): Record<string, unknown> {
  const root: Tree = Object.create(null) as Tree;
  for (const [key, value] of Object.entries(flat)) {
    if (!touchesPrototype(key)) place(root, parsePath(key), value);
  }
  return compact(root) as Record<string, unknown>;
}

type Tree = Record<string | number, unknown>;

function place(root: Tree, segments: readonly Segment[], value: unknown): void {
  let node = root;
  for (const [i, segment] of segments.entries()) {
    // A list only has elements: a name below one (`list.length`) has nowhere to go.
    if (Array.isArray(node) && typeof segment !== 'number') return;
    if (i === segments.length - 1) {
      if (!isContainer(node[segment])) node[segment] = value;
      return;
    }
    const nextIsIndex = typeof segments[i + 1] === 'number';
    if (!isContainer(node[segment])) node[segment] = nextIsIndex ? [] : Object.create(null);
    node = node[segment] as Tree;
  }
}

function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((_, i) => i in value).map(compact);
  if (!isPlainObject(value)) return value;
  const out = Object.create(null) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) out[key] = compact(item);
  return out;
}

function isContainer(value: unknown): boolean {
  return Array.isArray(value) || isPlainObject(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
