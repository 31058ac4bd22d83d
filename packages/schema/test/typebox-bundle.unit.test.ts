// `@goblog/schema` is, once built, one module holding the whole of typebox: these tests build it into
// a temporary folder, as `npm run build` does, and check that it imports nothing and is the typebox the
// sources use.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Type } from '../src/index.ts';

const BUNDLER = fileURLToPath(new URL('../bundle-typebox.mjs', import.meta.url));

interface Bundled {
  readonly Compile: (schema: unknown) => { Check(value: unknown): boolean };
  readonly Type: { readonly String: unknown; readonly Object: unknown };
  readonly Value: { readonly Default: unknown; readonly Convert: unknown };
  readonly Settings: { readonly Get: () => { readonly maxErrors: number } };
}

void describe('the bundled typebox entry', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'goblog-typebox-bundle-'));
    file = join(dir, 'typebox.bundle.js');
    await promisify(execFile)(process.execPath, [BUNDLER, file]);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  void it('imports no other module: typebox is inside it', () => {
    const code = readFileSync(file, 'utf8');
    assert.doesNotMatch(code, /\bfrom\s*["']|\bimport\s*\(|\brequire\s*\(/);
  });

  void it('exports what the packages take from typebox, and validates schemas the sources build', async () => {
    const bundled = (await import(pathToFileURL(file).href)) as Bundled;
    assert.equal(typeof bundled.Type.Object, 'function');
    assert.equal(typeof bundled.Value.Default, 'function');
    assert.equal(typeof bundled.Settings.Get().maxErrors, 'number');
    const schema = Type.Object({ accountId: Type.String({ pattern: '^[0-9]+$' }), readAt: Type.String() });
    const check = bundled.Compile(schema);
    assert.equal(check.Check({ accountId: '10000', readAt: '2026-12-02T16:00:00Z' }), true);
    assert.equal(check.Check({ accountId: 'x', readAt: '2026-12-02T16:00:00Z' }), false);
  });
});
