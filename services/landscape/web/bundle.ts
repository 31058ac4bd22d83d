// The page's build step (`npm run build` runs it after tsc, so `npm start` and the tests have it): bundles
// web/src with its libraries into dist/public, so nothing is fetched from anywhere at run time.
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** Where the bundle goes: the landscape serves it from there (src/http/assets.ts). */
export const OUT_DIR = here('../dist/public/');

/** Bundles the page into OUT_DIR; resolves once the files are written. */
export async function bundlePage(): Promise<void> {
  await mkdir(OUT_DIR, { recursive: true });
  await build({
    entryPoints: [here('src/main.ts')],
    outfile: `${OUT_DIR}app.js`,
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2022'],
    platform: 'browser',
    legalComments: 'linked',
    logLevel: 'warning',
  });
  await copyFile(here('index.html'), `${OUT_DIR}index.html`);
  await copyFile(here('app.css'), `${OUT_DIR}app.css`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundlePage();
}
