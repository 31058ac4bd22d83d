// Preloaded with `--import` by the tracing-off test: appends every @opentelemetry module the process loads,
// through import (a loader hook) or require (Module._load), to the file named by GOBLOG_MODULE_LOG.
import Module, { register } from 'node:module';
import { appendFileSync } from 'node:fs';
import process from 'node:process';

const file = process.env.GOBLOG_MODULE_LOG;
if (file) {
  register('./record-modules-hooks.mjs', import.meta.url);
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    const loaded = load.call(this, request, parent, isMain);
    if (request.includes('@opentelemetry/')) appendFileSync(file, `require ${request}\n`);
    return loaded;
  };
}
