import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the build puts the page (web/bundle.ts): the same place from src/ (tests) and dist/ (npm start). */
export const ASSETS_DIR = fileURLToPath(new URL('../../dist/public/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/**
 * The page's files, read once at startup: built at build time, nothing is fetched at run time. Undefined
 * when they have not been built (the page then says how to build them).
 */
export function loadAssets(dir: string = ASSETS_DIR): ReadonlyMap<string, Asset> | undefined {
  if (!existsSync(`${dir}index.html`)) return undefined;
  const assets = new Map<string, Asset>();
  for (const [name, type] of Object.entries(TYPES)) {
    if (existsSync(`${dir}${name}`)) assets.set(name, { type, body: readFileSync(`${dir}${name}`) });
  }
  return assets;
}
