// `npm run build`: every workspace's src/**/*.ts into its dist/ as ES modules with source maps, one output file
// per source file, by esbuild. It transpiles and does not type-check: `npm run typecheck` is the one type
// check of the repository (sources, tests, scripts and bench, against the sources), and the sources are
// written for per-file transpiling (`isolatedModules` and `verbatimModuleSyntax` in tsconfig.base.json make
// tsc reject what a transpiler alone would get wrong). Type declarations are the sources themselves: each
// package's `types` export is its src/index.ts. Plain JavaScript: it runs before anything is built.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The workspaces with sources: packages/* and services/* (package.json's workspaces) that have a src/. */
function workspaces() {
  return ['packages', 'services'].flatMap((group) =>
    readdirSync(join(root, group))
      .map((name) => join(root, group, name))
      .filter((dir) => isDirectory(join(dir, 'src'))),
  );
}

function isDirectory(path) {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Every .ts file under `dir` (declaration files excepted). */
function sources(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Transpiles one workspace's src/ into its dist/. */
async function buildWorkspace(dir) {
  const src = join(dir, 'src');
  await build({
    entryPoints: sources(src),
    outdir: join(dir, 'dist'),
    outbase: src,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    // The compiler options that change emitted code, as tsconfig.base.json sets them (esbuild would look
    // for a tsconfig.json beside each file instead).
    tsconfigRaw: {
      compilerOptions: { target: 'ES2023', verbatimModuleSyntax: true, useDefineForClassFields: true },
    },
    logLevel: 'warning',
  });
}

const dirs = workspaces();
await Promise.all(dirs.map(buildWorkspace));
if (process.argv.includes('--verbose')) {
  for (const dir of dirs) process.stdout.write(`built ${relative(root, dir)}/dist\n`);
}
