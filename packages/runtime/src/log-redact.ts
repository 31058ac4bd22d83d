/**
 * The censoring of secrets in log objects by path (`password`, `*.url`, `req.headers.authorization`: a
 * segment `*` stands for any key), as pino's `redact` option does it, run as pino's `log` and `bindings`
 * formatters. pino's own redaction, with any wildcard path, sends every field of every line through its
 * redactor, strings included; this one looks only at the keys a path names and copies an object only when
 * it replaces something in it, so a line that carries no secret costs one lookup per field.
 *
 * Guarantees: the caller's objects are never changed (a censored object is a copy, with the original's
 * prototype and property descriptors, so an Error stays an Error); a value at a path is replaced by
 * `censor` whatever its type; the work is bounded by the fields of the object and the paths' depth.
 */
type PathTree = Map<string, PathTree | null>;

const ANY = '*';

function compile(paths: readonly string[]): PathTree {
  const root: PathTree = new Map();
  for (const path of paths) {
    const segments = path.split('.');
    let node = root;
    segments.forEach((segment, i) => {
      if (i === segments.length - 1) {
        node.set(segment, null);
        return;
      }
      let next = node.get(segment);
      if (next === null) return; // a shorter path censors the whole value already
      if (next === undefined) {
        next = new Map();
        node.set(segment, next);
      }
      node = next;
    });
  }
  return withWildcardsMerged(root);
}

/** A literal key's subtree also holds what the sibling `*` subtree censors (both apply to that key). */
function withWildcardsMerged(tree: PathTree): PathTree {
  const any = tree.get(ANY);
  for (const [key, sub] of tree) {
    if (sub === null || key === ANY) continue;
    if (any !== undefined) {
      if (any === null) tree.set(key, null);
      else for (const [k, v] of any) if (!sub.has(k)) sub.set(k, v);
    }
    const merged = tree.get(key);
    if (merged !== null && merged !== undefined) withWildcardsMerged(merged);
  }
  if (any !== null && any !== undefined) withWildcardsMerged(any);
  return tree;
}

function copyOf<T extends object>(value: T): T {
  return Object.create(
    Object.getPrototypeOf(value) as object | null,
    Object.getOwnPropertyDescriptors(value),
  ) as T;
}

function censorIn(value: unknown, tree: PathTree, censor: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const source = value as Record<string, unknown>;
  const any = tree.get(ANY);
  // Copied on the first replacement only; no closure per call (this runs for every log line).
  let out: Record<string, unknown> | undefined;
  if (any === undefined) {
    for (const [key, sub] of tree) {
      if (!Object.prototype.hasOwnProperty.call(source, key)) continue;
      const v = source[key];
      if (v === undefined) continue;
      const next = sub === null ? censor : censorIn(v, sub, censor);
      if (next !== v) out = replaced(out ?? copyOf(source), key, next);
    }
  } else {
    for (const key in source) {
      if (!Object.prototype.hasOwnProperty.call(source, key)) continue;
      const v = source[key];
      if (v === undefined) continue;
      const sub = tree.has(key) ? (tree.get(key) ?? null) : any;
      if (sub !== null && (typeof v !== 'object' || v === null)) continue;
      const next = sub === null ? censor : censorIn(v, sub, censor);
      if (next !== v) out = replaced(out ?? copyOf(source), key, next);
    }
  }
  return out ?? value;
}

function replaced(target: Record<string, unknown>, key: string, v: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value: v, enumerable: true, writable: true, configurable: true });
  return target;
}

/** The formatter censoring `paths` in a log object (or a child logger's bindings), returning a copy if any. */
export function redactor(
  paths: readonly string[],
  censor: string,
): <T extends Record<string, unknown>>(obj: T) => T {
  const tree = compile(paths);
  return <T extends Record<string, unknown>>(obj: T): T => censorIn(obj, tree, censor) as T;
}
