/** What a GET below the root asks for, in one of Spring Cloud Config's URL forms. */
export type ConfigRequest =
  | {
      readonly kind: 'environment'; // /{application}/{profiles}[/{label}]
      readonly application: string;
      readonly profiles: string;
      readonly label: string | null;
    }
  | {
      readonly kind: 'document'; // [/{label}]/{application}-{profiles}.{yml|yaml|json|properties}
      readonly application: string;
      readonly profiles: string;
      readonly label: string | null;
      readonly format: DocumentFormat;
    };

export type DocumentFormat = 'yml' | 'yaml' | 'json' | 'properties';

export type ParsedPath =
  | { readonly ok: true; readonly request: ConfigRequest }
  | { readonly ok: false; readonly reason: 'unsafe' | 'no-route' };

// Anything that could climb out of the repository or smuggle a separator past a name check: encoded `/`,
// `\` or `.`, NUL, a literal `..` or backslash. Checked on the raw request target, before any decoding.
const UNSAFE_RAW = /%2f|%5c|%2e|%00|\.\.|\\/i;
const DOCUMENT = /^(.+)\.(yml|yaml|json|properties)$/;

/**
 * Parses the raw request path (still percent-encoded, without the query). Names are only split here;
 * the repository checks each one again before touching a file.
 */
export function parseConfigPath(rawPath: string): ParsedPath {
  if (UNSAFE_RAW.test(rawPath)) return { ok: false, reason: 'unsafe' };
  const encoded = rawPath.split('/').slice(1);
  // An empty segment (`//etc/passwd`, `/app//dev`) is how an absolute path would sneak in.
  if (encoded.length === 0 || encoded.some((s) => s === '')) return { ok: false, reason: 'unsafe' };
  let segments: string[];
  try {
    segments = encoded.map((s) => decodeURIComponent(s));
  } catch {
    return { ok: false, reason: 'unsafe' };
  }
  if (segments.some((s) => s.includes('/') || s.includes('\\') || s.includes('\0')))
    return { ok: false, reason: 'unsafe' };

  const [first = '', second, third] = segments;
  if (segments.length === 1) return document(first, null);
  if (segments.length === 2 && second !== undefined) {
    return DOCUMENT.test(second)
      ? document(second, first)
      : { ok: true, request: { kind: 'environment', application: first, profiles: second, label: null } };
  }
  if (segments.length === 3 && second !== undefined && third !== undefined) {
    return { ok: true, request: { kind: 'environment', application: first, profiles: second, label: third } };
  }
  return { ok: false, reason: 'no-route' };
}

function document(fileName: string, label: string | null): ParsedPath {
  const match = DOCUMENT.exec(fileName);
  const stem = match?.[1];
  const format = match?.[2] as DocumentFormat | undefined;
  if (stem === undefined || format === undefined) return { ok: false, reason: 'no-route' };
  // Application names may contain '-', profiles rarely do: split at the last one. No '-' = profile "default".
  const dash = stem.lastIndexOf('-');
  const application = dash > 0 ? stem.slice(0, dash) : stem;
  const profiles = dash > 0 ? stem.slice(dash + 1) : 'default';
  return { ok: true, request: { kind: 'document', application, profiles, label, format } };
}

/**
 * The request-metrics label of a config read: the URL form it used, as a template (`/{application}/{profiles}`,
 * `/{label}/{application}-{profiles}.yml`, ...), so reads can be told apart by form without a time series per
 * application. Anything that is not a config read is `/*`.
 */
export function configRouteLabel(rawPath: string): string {
  const parsed = parseConfigPath(rawPath);
  if (!parsed.ok) return '/*';
  const { request } = parsed;
  const label = request.label === null ? '' : '/{label}';
  return request.kind === 'environment'
    ? `/{application}/{profiles}${label}`
    : `${label}/{application}-{profiles}.${request.format}`;
}
