import { parentPort } from 'node:worker_threads';
import { Lru } from '../lib/lru.js';
const l: Lru<string, number> = new Lru(2);
l.set('a', 1);
parentPort!.postMessage({ ok: l.size });
