import { afterAll, afterEach } from 'vitest';

/**
 * Keeps an integration file's log lines back and prints them only when a test fails. The local
 * stack's handlers log through Powertools, which writes to process.stdout directly (past
 * vitest's console capture), so the streams themselves are buffered here. What a test logs
 * before it fails (and what the file's beforeAll logged) is printed after the failure, so the
 * run stays quiet when green and keeps every clue when red.
 */
const MAX_BUFFERED = 2_000_000;
let buffered: string[] = [];
let size = 0;
const originals = new Map<NodeJS.WriteStream, NodeJS.WriteStream['write']>();

for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as NodeJS.WriteStream['write'];
  originals.set(stream, write);
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    buffered.push(text);
    size += text.length;
    // Bounded: a long file keeps its newest lines.
    while (size > MAX_BUFFERED && buffered.length > 1) size -= buffered.shift()!.length;
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as NodeJS.WriteStream['write'];
}

const flush = (heading: string) => {
  const out = originals.get(process.stderr)!;
  if (buffered.length > 0) out(`\n----- ${heading} -----\n${buffered.join('')}----- end of log -----\n`);
  buffered = [];
  size = 0;
};

afterEach((context) => {
  if (context.task.result?.state === 'fail') flush(`log up to the failure of "${context.task.name}"`);
  else {
    buffered = [];
    size = 0;
  }
});

/** Whether anything in the file failed: a test, or a hook (a failing beforeAll fails no test). */
const failed = (task: Readonly<{ result?: { state?: string }; tasks?: readonly unknown[] }>): boolean =>
  task.result?.state === 'fail' || (task.tasks ?? []).some((t) => failed(t as typeof task));

// biome-ignore lint/correctness/noEmptyPattern: vitest requires a destructuring pattern before the suite
afterAll(({}, file) => {
  if (failed(file)) flush('log of the failed hooks');
  buffered = [];
  size = 0;
  for (const [stream, write] of originals) stream.write = write;
});
