// What a service process gets from the built packages (node_modules/@goblog/* -> dist/): typebox as the one
// bundled module, none of the ~680 files it ships. Against the build: `npm test` builds first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Load hooks that report every module URL to the main thread; a 'flush' is answered after all of them. */
const HOOKS = `
let port;
export function initialize(data) { port = data.port; port.on('message', () => port.postMessage(null)); }
export async function load(url, context, next) { port.postMessage(url); return next(url, context); }
`;

/** Imports the shared packages as a service does and prints the module URLs that were loaded. */
const CHILD = `
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const urls = [];
const flushed = new Promise((resolve) => port1.on('message', (url) => (url === null ? resolve() : urls.push(url))));
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}), {
  data: { port: port2 },
  transferList: [port2],
});
await import('@goblog/runtime');
await import('@goblog/config');
await import('@goblog/contracts');
port1.postMessage('flush');
await flushed;
port1.close();
process.stdout.write(JSON.stringify(urls));
`;

void test(
  'the built packages load typebox as one module',
  { skip: process.env.GOBLOG_TEST_BUILT === '1' ? false : 'runs against the build (npm test builds first)' },
  async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', CHILD], {
      cwd: ROOT,
    });
    const urls = JSON.parse(stdout) as string[];
    assert.ok(urls.some((url) => url.endsWith('/packages/schema/dist/typebox.bundle.js')));
    assert.deepEqual(
      urls.filter((url) => url.includes('/node_modules/typebox/')),
      [],
    );
  },
);
