// The flows worker's entry: a worker thread does not inherit the TypeScript loader of the
// thread that started it (tsx, vitest), so it registers tsx itself and loads the worker.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
