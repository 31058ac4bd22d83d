import { maskUrl } from '@goblog/messaging';
import type { TSchema } from 'typebox';
import { schemaKeyword } from './schema-properties.js';

/** Keys whose values are never echoed in a problem or a log line. */
const SECRET_KEY = /pass|secret|key|token|credential|private/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A value as it may appear in an error or log line: secrets hidden, URL passwords masked, one short line. */
export function displayValue(key: string, value: unknown): string {
  if (isSecretKey(key)) return '(hidden)';
  // JSON.stringify gives undefined for undefined and functions, whatever its declared type says.
  const json = JSON.stringify(value) as string | undefined;
  let text = json === undefined ? String(value) : json;
  if (text.includes('://')) text = text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"]*/gi, (url) => maskUrl(url));
  // A mistyped URL (`amqp//user:pw@host`, `user:pw@host`) is exactly when this line is shown: hide any userinfo.
  text = text.replace(/([^\s"/:@]+):[^\s"@/]*@/g, (_match, user: string) => `${user}:***@`);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export interface ValidationIssue {
  readonly keyword: string;
  readonly instancePath: string;
  readonly message: string;
  readonly params: unknown;
}

/**
 * Turns validator errors into one problem per bad key: "<key>: <problem> (got <value>)". A property's
 * `errorMessage` annotation replaces the validator's wording (which for a union lists every branch).
 */
export function describeProblems(
  issues: Iterable<ValidationIssue>,
  value: Readonly<Record<string, unknown>>,
  properties: ReadonlyMap<string, TSchema>,
): string[] {
  const byKey = new Map<string, string>();
  for (const issue of issues) {
    if (issue.keyword === 'required' && issue.instancePath === '') {
      const missing = (issue.params as { requiredProperties?: unknown }).requiredProperties;
      for (const key of Array.isArray(missing) ? missing : []) {
        if (typeof key === 'string' && !byKey.has(key)) byKey.set(key, `${key}: is required`);
      }
      continue;
    }
    const [key = '', ...rest] = issue.instancePath.split('/').slice(1);
    if (byKey.has(key)) continue;
    const annotated = schemaKeyword(properties.get(key), 'errorMessage');
    const wording =
      typeof annotated === 'string'
        ? annotated
        : `${rest.length ? `/${rest.join('/')} ` : ''}${issue.message}`;
    const got = key in value ? ` (got ${displayValue(key, value[key])})` : '';
    byKey.set(key, `${key || '(root)'}: ${wording}${got}`);
  }
  return [...byKey.values()];
}
