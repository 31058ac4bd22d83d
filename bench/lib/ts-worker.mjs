// The entry of a worker thread that runs a TypeScript module (its URL is the worker's first argument): the
// hooks `node --import tsx` registers reach the main thread only, so a worker registers them itself.
import { argv } from 'node:process';
import { register } from 'tsx/esm/api';

register();
await import(argv[2]);
