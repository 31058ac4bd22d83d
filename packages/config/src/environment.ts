import type { FlatProperties } from './flatten.js';
import { touchesPrototype } from './prototype-keys.js';

/** One file's flattened properties, as Spring Cloud Config serves it. */
export interface PropertySource {
  readonly name: string;
  readonly source: FlatProperties;
}

/**
 * Spring Cloud Config's Environment: what GET /{application}/{profiles}[/{label}] returns.
 * propertySources are ordered most specific first.
 */
export interface Environment {
  readonly name: string;
  readonly profiles: readonly string[];
  readonly label: string | null;
  readonly version: string | null;
  readonly state: string | null;
  readonly propertySources: readonly PropertySource[];
}

/**
 * Merges property sources (most specific first) into one flat map the way a Spring client binds them:
 * the first source holding a key wins, and a list is taken whole from the most specific source that has
 * any element of it (lists are never merged element by element). Keys naming prototype properties are
 * left out; their names are appended to `ignored` when given, once each.
 */
export function mergePropertySources(sources: readonly PropertySource[], ignored?: string[]): FlatProperties {
  const merged: FlatProperties = {};
  const ownedLists = new Set<string>();
  const dropped = new Set<string>();
  for (const { source } of sources) {
    const listsHere = new Set<string>();
    for (const [key, value] of Object.entries(source)) {
      if (touchesPrototype(key)) {
        dropped.add(key);
        continue;
      }
      const roots = listRoots(key);
      if (Object.hasOwn(merged, key) || roots.some((root) => ownedLists.has(root))) continue;
      merged[key] = value;
      for (const root of roots) listsHere.add(root);
    }
    for (const root of listsHere) ownedLists.add(root);
  }
  for (const key of dropped) ignored?.push(key);
  return merged;
}

/** `a.b[0].c[1]` -> ['a.b', 'a.b[0].c']: every list the key is an element of. */
function listRoots(key: string): string[] {
  const roots: string[] = [];
  for (const match of key.matchAll(/\[\d+\]/g)) roots.push(key.slice(0, match.index));
  return roots;
}
