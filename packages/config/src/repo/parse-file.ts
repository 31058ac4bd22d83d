import { ConfigError } from '../errors.js';
import { flatten, type FlatProperties } from '../flatten.js';
import { touchesPrototype } from '../prototype-keys.js';

/**
 * Parses one repository file into flat properties. YAML documents that activate on a profile
 * (`spring.config.activate.on-profile` or the older `spring.profiles`) apply only when it is active;
 * later documents override earlier ones, as in Spring Boot. Keys naming prototype properties are left out
 * and appended to `ignored`. The YAML parser is loaded by the first YAML file read: a service that takes
 * its configuration from the configuration server never holds it.
 */
export async function parseConfigFile(
  fileName: string,
  text: string,
  profiles: readonly string[],
  ignored?: string[],
): Promise<FlatProperties> {
  if (fileName.endsWith('.properties')) return parseProperties(text, ignored);
  const { parseAllDocuments } = await import('yaml');
  const merged: FlatProperties = {};
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      const problem = `${fileName}: invalid YAML (${doc.errors[0]?.code ?? 'parse error'})`;
      throw new ConfigError('REPO_UNREADABLE', problem);
    }
    const props = flatten(doc.toJS(), ignored);
    const activation = props['spring.config.activate.on-profile'] ?? props['spring.profiles'];
    if (typeof activation === 'string' && !activates(activation, profiles)) continue;
    Object.assign(merged, props);
  }
  return merged;
}

function activates(expression: string, profiles: readonly string[]): boolean {
  return expression
    .split(',')
    .map((p) => p.trim())
    .some((p) => (p.startsWith('!') ? !profiles.includes(p.slice(1)) : profiles.includes(p)));
}

/**
 * Java .properties: `key=value` / `key: value` / `key value`, `#`/`!` comments, `\` line continuations.
 * Keys naming prototype properties are left out and appended to `ignored`.
 */
export function parseProperties(text: string, ignored?: string[]): FlatProperties {
  const out: FlatProperties = {};
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = pending ? raw.trimStart() : raw;
    if (!pending && /^\s*(?:[#!]|$)/.test(line)) continue;
    const continued = /(?:^|[^\\])(?:\\\\)*\\$/.test(line);
    pending += continued ? line.slice(0, -1) : line;
    if (!continued) {
      logical.push(pending);
      pending = '';
    }
  }
  if (pending) logical.push(pending);
  for (const line of logical) {
    const match = /^\s*((?:\\.|[^=:\s\\])+)\s*[=:\s]?\s*(.*)$/.exec(line);
    if (!match?.[1]) continue;
    const key = unescape(match[1]);
    if (touchesPrototype(key)) ignored?.push(key);
    else out[key] = unescape(match[2] ?? '');
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c: string) => {
    if (c.length === 5) return String.fromCharCode(parseInt(c.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[c] ?? c;
  });
}
