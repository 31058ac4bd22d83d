// The loader hook of record-modules.mjs: records each resolved module under node_modules/@opentelemetry.
import { appendFileSync } from 'node:fs';
import process from 'node:process';

const file = process.env.GOBLOG_MODULE_LOG;

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (file && resolved.url.includes('/@opentelemetry/')) appendFileSync(file, `import ${resolved.url}\n`);
  return resolved;
}
