// `npm run build` runs this after tsc: bundles src/index.ts with typebox into dist/typebox.bundle.js, the
// module `@goblog/schema` resolves to outside the sources. One module instead of typebox's ~680:
// each ESM module a process loads stays in its heap (module record, loader job, source) and its loading grows
// V8's young generation; measured in docs/performance.md (footprint). Nothing is fetched: esbuild is installed.
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** Where the bundle goes; package.json's `./typebox` export points there. */
export const BUNDLE_FILE = here('dist/typebox.bundle.js');

/** Writes the bundle to `outfile`; resolves with esbuild's metafile (what went in, what it imports). */
export async function bundleTypebox(outfile = BUNDLE_FILE) {
  const result = await build({
    entryPoints: [here('src/index.ts')],
    outfile,
    bundle: true,
    // Whitespace and syntax only: typebox's own names stay in stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    format: 'esm',
    platform: 'node',
    target: ['node20'],
    legalComments: 'eof',
    banner: {
      js: '// typebox (MIT License, sinclairzx81), bundled by packages/schema/bundle-typebox.mjs',
    },
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bundleTypebox(process.argv[2]);
}
