import { mergePropertySources, unflatten, type Environment } from '@goblog/config';
import { stringify } from 'yaml';
import type { DocumentFormat } from './config-path.js';

export interface RenderedDocument {
  readonly contentType: string;
  readonly body: string;
}

/**
 * The merged view of an Environment as one document, as Spring's /{app}-{profiles}.{ext} endpoints serve
 * it: most specific source wins per key; YAML and JSON nested again (lists rebuilt), .properties as sorted
 * `key: value` lines.
 */
export function renderDocument(environment: Environment, format: DocumentFormat): RenderedDocument {
  const merged = mergePropertySources(environment.propertySources);
  switch (format) {
    case 'json':
      return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(unflatten(merged)) };
    case 'yml':
    case 'yaml':
      return { contentType: 'text/plain; charset=utf-8', body: stringify(unflatten(merged)) };
    case 'properties':
      return {
        contentType: 'text/plain; charset=utf-8',
        body: Object.keys(merged)
          .sort()
          .map((key) => `${key}: ${propertyText(merged[key])}`)
          .join('\n'),
      };
  }
}

function propertyText(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  // One property per line: escape line breaks the way .properties files do.
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
